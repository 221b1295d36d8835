"""Web plumbing shared by every blueprint: error pages, security headers, request cleaning, the form base,
file downloads and the page language. No views live here; `create_app` wires each part in."""
