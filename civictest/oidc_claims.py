"""Pure: reading an OpenID Connect ID token's claims (roles at a claim path, the address to match an account)."""
from __future__ import annotations


def claim_values(claims: dict, path: str) -> list[str]:
    """The values at a claim path: `roles` (Entra app roles), `realm_access.roles` or `groups` (Keycloak).
    A single string counts as one value; anything missing is no value."""
    value: object = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return []
        value = value[part]
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value if isinstance(item, (str, int))]
    return []


def role_from_claims(claims: dict, path: str, role_map: dict[str, str], roles: tuple[str, ...]) -> str | None:
    """The civictest role the claims give (the strongest, in the order of `roles`), or None when no value maps."""
    mapped = {role_map[value] for value in claim_values(claims, path) if value in role_map}
    for role in roles:
        if role in mapped:
            return role
    return None


def email_from_claims(claims: dict) -> str:
    """The address to match a pre-created account: `email`, else Entra's `preferred_username`/`upn` when they are
    addresses (Entra leaves `email` out for accounts without a mailbox)."""
    for name in ("email", "preferred_username", "upn"):
        value = claims.get(name)
        if isinstance(value, str) and "@" in value:
            return value.strip().lower()
    return ""
