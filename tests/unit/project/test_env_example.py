from bot.config.settings import DEFAULTS, PROJECT_ROOT, load_settings


def test_env_example_lists_every_variable_and_loads() -> None:
    example = PROJECT_ROOT / ".env.example"
    names = {
        line.split("=", 1)[0]
        for line in example.read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert names == set(DEFAULTS)
    settings = load_settings(example, environ={})
    assert settings.lock_store_url == "memory://"
