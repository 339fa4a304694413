"""The page's first load: every module app.js imports, at any depth, is preloaded by the page itself, so the
browser fetches them at once instead of one import level per round trip."""

from __future__ import annotations

import re

import httpx2 as httpx
from liveserver import LiveServer

IMPORT = re.compile(r'^import[^"]*"\./([\w-]+\.js)";?$|^\} from "\./([\w-]+\.js)";$', re.M)


def test_the_page_preloads_every_module_app_js_imports(live: LiveServer):
    page = httpx.get(f"{live.http}/").text
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/js/([\w-]+\.js)">', page))
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
