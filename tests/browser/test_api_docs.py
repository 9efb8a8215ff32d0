"""The API's OpenAPI docs work offline: everything they load comes from this server."""

import pytest

pytestmark = pytest.mark.browser


def test_the_api_docs_list_every_endpoint_without_another_host(open_page, server):
    page = open_page(None)
    page.goto(f"{server}/api/docs")
    page.wait_for_selector(".opblock")  # Swagger UI rendered the operations
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    for path in ("/api/v1/step", "/api/v1/train", "/api/v1/gradcheck", "/api/v1/predict"):
        assert any(path in p.replace("\u200b", "") for p in paths), paths
