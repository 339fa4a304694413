"""The page's first load: every module app.js imports, at any depth, is preloaded by the page itself, so the
browser fetches them at once instead of one import level per round trip; and every file is linked by the address
that names its contents (server/pagefiles.py), the modules' imports of each other too, through the import map."""

from __future__ import annotations

import json
import re

import httpx2 as httpx
from liveserver import LiveServer

IMPORT = re.compile(r'^import[^"]*"\./([\w-]+\.js)";?$|^\} from "\./([\w-]+\.js)";$', re.M)


def test_the_page_preloads_every_module_app_js_imports(live: LiveServer):
    page = httpx.get(f"{live.http}/").text
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/js/([\w-]+\.js)\?v=\w+">', page))
    imported, todo = set(), ["app.js"]
    while todo:
        module = todo.pop()
        response = httpx.get(f"{live.http}/static/js/{module}")
        assert response.status_code == 200, module
        for found in IMPORT.findall(response.text):
            name = found[0] or found[1]
            if name not in imported:
                imported.add(name)
                todo.append(name)
    assert len(imported) > 10
    assert preloaded == imported, f"add to templates/index.html: {sorted(imported - preloaded)}; " \
                                  f"remove: {sorted(preloaded - imported)}"


def test_every_address_the_page_links_names_the_contents_it_gets(live: LiveServer):
    page = httpx.get(f"{live.http}/").text
    linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    imports = json.loads(re.search(r'<script type="importmap">(.*?)</script>', page, re.S).group(1))["imports"]
    assert len(linked) > 40 and len(imports) > 40
    assert set(imports.values()) >= {url for url in linked if url.endswith(".js") or ".js?" in url}
    for url in set(linked) | set(imports.values()):
        path, version = url.split("?v=")
        kept = httpx.get(f"{live.http}{url}")
        assert kept.status_code == 200, url
        assert kept.headers["cache-control"] == "public, max-age=31536000, immutable", url
        assert version == kept.headers["etag"].strip('"')[:16], url  # the version is of these very bytes
        assert kept.content == httpx.get(f"{live.http}{path}").content
    for plain, versioned in imports.items():  # "./name.js" resolves to the key; the page then asks for its value
        assert versioned.split("?")[0] == plain
