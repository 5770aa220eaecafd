"""Vietnamese first: the UI language does not follow the browser, only the person's choice."""


def test_ui_is_vietnamese_by_default_and_english_on_request(client, db):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "vi"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.headers["Content-Language"] == "en"
