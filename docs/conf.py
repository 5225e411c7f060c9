"""Sphinx configuration: `make docs` builds docs/_build/html with -W."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, HERE)
import _inventories  # noqa: E402

import sknets  # noqa: E402

project = "sknets"
author = "the sknets developers"
copyright = "2026, the sknets developers"
release = version = sknets.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_theme = "pydata_sphinx_theme"
html_title = "sknets"
html_static_path = []
html_theme_options = {
    "github_url": "https://github.com/sknets/sknets",
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "secondary_sidebar_items": ["page-toc"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_context = {"default_mode": "light"}
templates_path = ["_templates"]

autosummary_generate = True
autodoc_default_options = {"members": False, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
myst_heading_anchors = 3

# No network at build time: the inventories of scikit-learn, numpy, pandas,
# torch, skorch and sktime are written from the installed packages
# (docs/_inventories.py) and link to each project's own pages.
intersphinx_mapping = _inventories.intersphinx_mapping(
    os.path.join(HERE, "_build", "inventories")
)

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"\.py$",  # run every example, not only plot_*.py
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "remove_config_comments": True,
}

suppress_warnings = ["myst.header"]
