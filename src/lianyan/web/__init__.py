"""The web layer: the Litestar app, its error mapping, access rules and page shell."""
