"""Pure claim reading: role claim paths of Entra ID and Keycloak, the strongest mapped role, the address."""
from civictest.models.staff import ROLES
from civictest.oidc_claims import claim_values, email_from_claims, role_from_claims


def test_claim_paths_walk_into_objects_and_accept_one_string():
    claims = {"realm_access": {"roles": ["a", "b", 3, {"x": 1}]}, "groups": "team", "roles": None}
    assert claim_values(claims, "realm_access.roles") == ["a", "b", "3"]
    assert claim_values(claims, "groups") == ["team"]
    assert claim_values(claims, "roles") == [] and claim_values(claims, "realm_access.missing") == []
    assert claim_values(claims, "groups.deeper") == []


def test_the_strongest_mapped_role_wins_and_unmapped_values_give_none():
    role_map = {"civictest-team": "service_team", "civictest-admin": "admin", "po": "product_owner"}
    assert role_from_claims({"roles": ["po", "civictest-admin", "x"]}, "roles", role_map, ROLES) == "admin"
    assert role_from_claims({"roles": ["po", "civictest-team"]}, "roles", role_map, ROLES) == "service_team"
    assert role_from_claims({"roles": ["CIVICTEST-ADMIN"]}, "roles", role_map, ROLES) is None  # exact values only
    assert role_from_claims({}, "roles", role_map, ROLES) is None


def test_the_address_comes_from_email_else_an_entra_username_that_is_an_address():
    assert email_from_claims({"email": " Sato@City.example.jp "}) == "sato@city.example.jp"
    assert email_from_claims({"preferred_username": "Ito@city.example.jp"}) == "ito@city.example.jp"
    assert email_from_claims({"preferred_username": "ito", "upn": "ito@city.example.jp"}) == "ito@city.example.jp"
    assert email_from_claims({"preferred_username": "ito"}) == ""
