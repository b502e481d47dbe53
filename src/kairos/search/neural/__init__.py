"""Search with a transformer prior over programs: sampling strategies and token-level LTS."""
