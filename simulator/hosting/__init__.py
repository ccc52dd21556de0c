"""Hosting the site and driving it: in-process ASGI/WSGI servers, the httpx transport into
them, the client driver, the loop monitor, the slow upstream, and the engine that runs a
scenario end to end. The only package here that boots Django."""
