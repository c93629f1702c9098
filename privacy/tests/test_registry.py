"""Every model that points at a user is covered by an exporter and an eraser (or registered exempt
with its reason), so a new app cannot forget a person's data (README "Privacy")."""

from types import SimpleNamespace

from privacy import registry


def test_every_user_linked_model_is_exported_and_erased():
    assert registry.uncovered() == {"export": [], "erase": []}


def test_the_check_sees_a_model_no_one_covers(monkeypatch):
    diary = SimpleNamespace(_meta=SimpleNamespace(label="privacy.Diary"))  # a new model with a user link
    linked = registry.user_linked_models()
    monkeypatch.setattr(registry, "user_linked_models", lambda: [*linked, diary])
    assert registry.uncovered() == {"export": ["privacy.Diary"], "erase": ["privacy.Diary"]}


def test_the_user_linked_models_are_found():
    labels = {m._meta.label for m in registry.user_linked_models()}
    assert {"courses.Enrollment", "forum.Post", "payments.Order", "token_blacklist.OutstandingToken"} <= labels


def test_names_are_unique_and_the_accounts_eraser_runs_last():
    names = [e.name for e in registry.exporters()]
    assert len(names) == len(set(names))
    assert registry.erasers()[-1].name == "accounts"
    for eraser in registry.erasers():
        assert eraser.policy, f"{eraser.name} documents no policy"
    for exporter in registry.exporters():
        assert exporter.describe, f"{exporter.name} describes no field"
