"""Channel adapters: the only modules that speak a platform's language."""
