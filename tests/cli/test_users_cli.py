"""`flask --app app users token`: the token alone on stdout, how to send it on stderr, and it works as said."""
from helpers import make_user


def test_token_says_how_to_send_it_and_works(app, ctx):
    user = make_user("product_owner", email="owner-cli@example.jp")
    result = app.test_cli_runner().invoke(args=["users", "token", "--email", user.email])
    assert result.exit_code == 0, result.output

    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout  # TOKEN=$(flask --app app users token --email E) gets just the token
    token = lines[0].strip()
    assert token

    help_text = result.stderr
    assert f"Authorization: Bearer {token}" in help_text
    assert f'curl -H "Authorization: Bearer {token}" http://127.0.0.1:5000/api/v1/services' in help_text
    assert user.email in help_text

    client = app.test_client()
    assert client.get("/api/v1/services", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/v1/services").status_code == 401


def test_token_for_unknown_user_is_a_clean_error(app):
    result = app.test_cli_runner().invoke(args=["users", "token", "--email", "nobody@example.jp"])
    assert result.exit_code == 1
    assert "no user nobody@example.jp" in result.output
    assert "Traceback" not in result.output
