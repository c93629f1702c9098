def test_register_login_me(anon_client, db):
    r = anon_client.post("/api/v1/auth/register/", {"email": "A@Example.com", "password": "Sup3r-secret-pw",
                                                    "first_name": "A", "last_name": "B"})
    assert r.status_code == 201, r.content
    r = anon_client.post("/api/v1/auth/login/", {"email": "a@example.com", "password": "Sup3r-secret-pw"})
    assert r.status_code == 200, r.content
