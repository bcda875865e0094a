"""Pulls of hash lists from remote feeds into local lists (NCMEC hash sharing, ``GET /v2/entries``).

- ``settings``: endpoint and credentials from the environment.
- ``ncmec_client``: HTTP (timeouts, retries, auth errors) for one page at a time.
- ``ncmec_page``: what a page says besides its entries (the next link, who sent each entry, when).
- ``ncmec_order``: keeps the newest state of an entry when pages arrive out of time order.
- ``ncmec_window``: one window: fetch all its pages, then plan each page's import.
- ``ncmec``: the pull itself: windows, pages into the list, the checkpoint.
"""
