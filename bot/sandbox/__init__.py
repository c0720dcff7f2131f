"""The browser sandbox of `gridbot demo`: the demo city played in phone-sized chat panes.

One process: the emulator, the real bot polling it, and a small web app on 127.0.0.1 whose
page talks to the emulator's control API through it (bot.sandbox.web). The page and its font
are shipped here (static/) and served locally: nothing is fetched from the internet.
"""
