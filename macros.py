"""mkdocs-macros module: the macros pages call. Thin: all work is in the natoca package."""
from natoca import site


def define_env(env):
    @env.macro
    def record_page(collection: str, id: str) -> str:
        """The page of one record, from its page-kind template."""
        return site.renderer().record_page(collection, id)

    @env.macro
    def index_page(collection: str) -> str:
        """The index of one collection."""
        return site.renderer().index_page(collection)

    @env.macro
    def block(name: str, **options) -> str:
        """A named block of a hand-written page: home figures, matrix, map, timeline, disputes, downloads."""
        url = env.page.url if env.page is not None else ""
        return site.renderer().block(name, root="../" * url.count("/"), **options)
