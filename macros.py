"""mkdocs-macros module: the macros hand-written pages call. Thin: all work is in the natoca package.

Generated pages (one per record, one index per collection) are rendered by the hooks
(natoca/mkdocs_hooks.py, on_page_markdown), not here.
"""
from natoca import site


def define_env(env):
    @env.macro
    def block(name: str, **options) -> str:
        """A named block of a hand-written page: home figures, matrix, map, timeline, disputes, downloads."""
        url = env.page.url if env.page is not None else ""
        return site.renderer().block(name, root="../" * url.count("/"), **options)
