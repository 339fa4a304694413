"""Where the page's files are: a checkout keeps ``static`` and ``templates`` at its top level; an installed wheel
carries both inside this package (pyproject.toml maps them there)."""

from __future__ import annotations

from pathlib import Path


def page_folder(name: str) -> Path:
    """The page's ``static`` or ``templates`` folder (an editable install's too is the checkout's)."""
    here = Path(__file__).resolve().parent
    for folder in (here / name, here.parent / name):
        if folder.is_dir():
            return folder
    raise RuntimeError(f"the page's {name}/ folder is neither in {here} nor in {here.parent}")
