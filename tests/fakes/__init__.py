"""Test doubles of the platforms zhibu talks to (served in-process or on loopback)."""
