"""The layering rules of shared/STYLE.md, checked on the source so they stay true:

- views never query or write through the ORM (they call selectors, access helpers and services);
- an app writes another app's models only through that app's services;
- every object a view acts on is resolved through an access helper (`<app>/access.py`), and no view
  decides permission by hand (owner comparisons, `get_object_or_404`, raising PermissionDenied,
  calling the access predicates itself);
- a row lock taken with a join names the tables it locks (`select_for_update(of=...)`).

Each checker is also run on a small bad example, so a checker that finds nothing cannot pass."""

import ast
import inspect
import re
import textwrap
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from lms.api.access import AccessViewSetMixin

BASE = Path(settings.BASE_DIR)
PROJECT_APPS = sorted(
    config.label for config in apps.get_app_configs() if Path(config.path).resolve().parent == BASE.resolve()
)


def _modules(app: str, *, include_tests: bool = False) -> list[Path]:
    skip = {"migrations"} if include_tests else {"migrations", "tests"}
    return sorted(p for p in (BASE / app).rglob("*.py") if not skip & set(p.relative_to(BASE / app).parts))


def _view_modules() -> list[Path]:
    return sorted(p for app in PROJECT_APPS for p in (BASE / app / "api").glob("*views.py"))


def _rel(path: Path) -> str:
    return str(path.relative_to(BASE))


def _chain(node: ast.AST) -> list[str]:
    """`Post.objects.filter(x=1).update` -> ["Post", "objects", "filter", "update"]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


# --- views do not write through the ORM ---------------------------------------------------------
ALWAYS_WRITES = {"save", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "select_for_update"}
QUERYSET_WRITES = {"create", "update", "delete"}
QUERYSET_SOURCES = {"objects", "filter", "exclude", "all", "get_queryset", "filter_queryset"}


def orm_writes(source: str) -> list[str]:
    """Calls in `source` that write through the ORM: `.save()`, `X.objects.create()`,
    `qs.filter(...).update()`, `obj.delete()`, ...; `cache.delete()` and services are fine."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        chain = _chain(node.func)
        attr = node.func.attr
        if attr in ALWAYS_WRITES:
            found.append(f"line {node.lineno}: {'.'.join(chain)}()")
        elif attr in QUERYSET_WRITES and chain[0] not in {"cache", "services", "self"}:
            receiver = chain[:-1]
            on_queryset = bool(QUERYSET_SOURCES & set(receiver))
            on_instance = attr == "delete" and len(receiver) == 1 and not node.args
            if on_queryset or on_instance:
                found.append(f"line {node.lineno}: {'.'.join(chain)}()")
    return found


def test_the_orm_write_checker_finds_writes():
    bad = """
        post.save()
        Post.objects.create(title="x")
        Post.objects.filter(pk=1).update(title="y")
        comment.delete()
        cache.delete("key")
        services.post_delete(post=post, actor=user)
    """
    assert len(orm_writes(textwrap.dedent(bad))) == 4


def orm_queries(source: str) -> list[str]:
    """`Model.objects...` in a view: reads go through the app's selectors (scoped, with their
    loading done once). `Model.objects.none()` (a queryset for the schema generator) is fine."""
    found = []
    for node in ast.walk(ast.parse(source)):
        on_manager = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
        if on_manager and node.value.attr == "objects" and node.attr != "none":
            found.append(f"line {node.lineno}: {'.'.join(_chain(node))}")
    return found


def test_the_orm_query_checker_finds_queries():
    bad = """
        queryset = Category.objects.order_by("name")
        question = Question.objects.prefetch_related("choices").get(pk=1)
        queryset = Post.objects.none()
        questions = selectors.question_list_for_quiz(quiz)
    """
    assert len(orm_queries(textwrap.dedent(bad))) == 2


def joined_locks(source: str) -> list[str]:
    """`select_for_update()` without `of` in a query with `select_related`: PostgreSQL's FOR UPDATE
    then locks the joined rows too (the quiz under every student's attempt, the course under every
    submission), and every writer of the same parent waits on the others. Name the tables to lock:
    `of=("self",)`, or more where that is meant."""
    found: dict[int, str] = {}  # by line: a chain's inner calls start on the same line
    for node in ast.walk(ast.parse(source)):
        calls, current = [], node
        while isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
            calls.append(current)
            current = current.func.value
        names = [c.func.attr for c in calls]
        locks = [c for c in calls if c.func.attr == "select_for_update"]
        if "select_related" in names and any(not any(k.arg == "of" for k in c.keywords) for c in locks):
            found.setdefault(node.lineno, f"line {node.lineno}: {'.'.join(reversed(names))}")
    return list(found.values())


def test_the_joined_lock_checker_finds_them():
    bad = """
        Attempt.objects.select_for_update().select_related("quiz").get(pk=1)
        Post.objects.select_related("course").select_for_update().first()
        Attempt.objects.select_for_update(of=("self",)).select_related("quiz").get(pk=1)
        Attempt.objects.select_for_update().get(pk=1)
    """
    assert len(joined_locks(textwrap.dedent(bad))) == 2


@pytest.mark.parametrize("path", [p for app in PROJECT_APPS for p in _modules(app)], ids=_rel)
def test_row_locks_with_a_join_name_what_they_lock(path):
    assert joined_locks(path.read_text()) == [], f"{_rel(path)}: select_for_update() with a join locks every table"


@pytest.mark.parametrize("path", _view_modules(), ids=_rel)
def test_views_read_through_selectors(path):
    assert orm_queries(path.read_text()) == [], f"{_rel(path)} queries the ORM: call a selector or an access helper"


@pytest.mark.parametrize("path", _view_modules(), ids=_rel)
def test_views_write_only_through_services(path):
    assert orm_writes(path.read_text()) == [], f"{_rel(path)} writes through the ORM: call a service"


# --- apps write other apps' models only through their services ----------------------------------
def foreign_model_writes(source: str, app: str) -> list[str]:
    """Writes in `source` (a module of `app`) to models imported from another project app:
    `Model(...)` instances, `Model.objects.create/update/delete/...` and row locks on them."""
    tree = ast.parse(source)
    foreign: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models"):
            owner = node.module.split(".")[0]
            if owner != app and owner in PROJECT_APPS:
                foreign.update({alias.asname or alias.name: owner for alias in node.names})
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in foreign and node.func.id[:1].isupper():
            if not node.func.id.endswith(("Status", "Role", "Verb", "Type", "Action", "Resolution")):
                found.append(f"line {node.lineno}: {node.func.id}(...) of {foreign[node.func.id]}")
        elif isinstance(node.func, ast.Attribute):
            chain = _chain(node.func)
            if chain and chain[0] in foreign and "objects" in chain and chain[-1] in ALWAYS_WRITES | QUERYSET_WRITES:
                found.append(f"line {node.lineno}: {'.'.join(chain)}() of {foreign[chain[0]]}")
    return found


def test_the_foreign_write_checker_finds_writes():
    bad = """
        from courses.models import Course, Enrollment, EnrollmentStatus
        from .models import Review
        Course.objects.select_for_update().get(pk=1)
        Enrollment.objects.filter(pk=1).update(status=EnrollmentStatus.REVOKED)
        Enrollment(student=s, course=c)
        Enrollment.objects.filter(pk=1).exists()
        Review.objects.create(rating=5)
    """
    assert len(foreign_model_writes(textwrap.dedent(bad), "reviews")) == 3


@pytest.mark.parametrize("app", PROJECT_APPS)
def test_apps_write_other_apps_models_through_their_services(app):
    found = {_rel(path): writes for path in _modules(app) if (writes := foreign_model_writes(path.read_text(), app))}
    assert found == {}, "call the owning app's service instead"


# --- no permission decided by hand in views -----------------------------------------------------
OWNER_FIELDS = re.compile(r"\.(author|student|user|owner|instructor|reporter|recipient|buyer)(_id)?\b")
PREDICATES = {"can_manage_course", "can_read_content", "is_course_instructor", "is_moderator", "may_reply"}


def hand_written_checks(source: str) -> list[str]:
    """Permission decided in a view rather than by an access helper: comparing the caller with an
    owner, `get_object_or_404`, raising PermissionDenied, or calling an access predicate."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            text = ast.unparse(node)
            if "request.user" in text or ("user" in text and OWNER_FIELDS.search(text)):
                found.append(f"line {node.lineno}: compares {text!r}")
        elif isinstance(node, ast.Name) and node.id == "get_object_or_404":
            found.append(f"line {node.lineno}: get_object_or_404")
        elif isinstance(node, ast.Raise) and node.exc is not None:
            if "PermissionDenied" in _chain(node.exc):
                found.append(f"line {node.lineno}: raises PermissionDenied")
        elif isinstance(node, ast.Call) and (_chain(node.func) or [""])[-1] in PREDICATES:
            found.append(f"line {node.lineno}: calls {_chain(node.func)[-1]}")
    return found


def test_the_hand_written_check_finder_finds_them():
    bad = """
        if post.author_id != request.user.pk:
            raise PermissionDenied("Only the author can edit a post.")
        if review.student_id != user.pk and user.role != "admin":
            pass
        course = get_object_or_404(course_list_for_user(request.user), pk=course_id)
        if not can_manage_course(request.user, course):
            pass
        post = post_for(request.user, pk, need="edit")
    """
    assert len(hand_written_checks(textwrap.dedent(bad))) == 5


@pytest.mark.parametrize("path", _view_modules(), ids=_rel)
def test_views_decide_no_permission_by_hand(path):
    assert hand_written_checks(path.read_text()) == [], f"{_rel(path)}: use the aggregate's access helper"


# --- every object endpoint resolves its object through an access helper --------------------------
# Routes whose URL names something that is not a row the caller must be authorized for.
NOT_OBJECTS = {
    "certificate-verify": "public verification by the certificate's code: anyone holding the code may check it",
}


def _routes(resolver: URLResolver | None = None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _calls_an_access_helper(view_class, function, depth: int = 3) -> bool:
    """Whether `function` (a handler of `view_class`) calls an access helper, itself or through
    the view's own methods (`self._course(...)`, a mixin's `self.get_object()`)."""
    module = inspect.getmodule(function)
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(function)))):
        if not isinstance(node, ast.Call):
            continue
        chain = _chain(node.func)
        if chain[:1] == ["self"] and len(chain) == 2:
            if chain[1] == "get_object" and issubclass(view_class, AccessViewSetMixin):
                return True
            method = getattr(view_class, chain[1], None)
            if depth and inspect.isfunction(method) and _calls_an_access_helper(view_class, method, depth - 1):
                return True
            continue
        target = getattr(module, chain[0], None) if chain else None
        for name in chain[1:]:
            target = getattr(target, name, None)
        if is_access_helper(target):
            return True
    return False


def is_access_helper(target) -> bool:
    """`course_for`, `post_for`, `course_require`, ...: the fetch-and-authorize functions of an
    `<app>/access.py` (its predicates decide nothing about a fetched object)."""
    target = getattr(target, "func", target)  # functools.partial(course_for, message=...)
    name = getattr(target, "__name__", "")
    return (
        callable(target)
        and getattr(target, "__module__", "").endswith(".access")
        and name.endswith(("_for", "_require"))
    )


def object_routes():
    """(route, name, view class, detail, handler names) for every API route with an id in its URL."""
    for route, pattern in _routes():
        view_class = getattr(pattern.callback, "cls", None)
        if view_class is None or not route.startswith("api/") or "<" not in route:
            continue
        if pattern.name in NOT_OBJECTS:
            continue
        actions = getattr(pattern.callback, "actions", None)
        if actions:
            handlers = sorted(set(actions.values()))
        else:
            handlers = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)]
        detail = bool(getattr(pattern.callback, "initkwargs", {}).get("detail"))
        yield route, pattern.name, view_class, detail, handlers


def test_there_are_object_routes_to_check():
    assert len(list(object_routes())) > 20


@pytest.mark.parametrize(
    "route,name,view_class,detail,handlers", list(object_routes()), ids=[r[1] or r[0] for r in object_routes()]
)
def test_object_routes_resolve_through_an_access_helper(route, name, view_class, detail, handlers):
    if detail and issubclass(view_class, AccessViewSetMixin):
        assert is_access_helper(view_class.access), f"{view_class.__name__}.access is not an access helper"
        return
    unchecked = [h for h in handlers if not _calls_an_access_helper(view_class, getattr(view_class, h))]
    assert unchecked == [], f"{route} ({view_class.__name__}): {unchecked} resolve no object through an access helper"


# --- write services that act for a person state their preconditions -----------------------------
NOT_ACTING_FOR = {"activity_record": "`actor` is whom the event is about; recording it authorizes nothing"}


def services_with_actor():
    for app in PROJECT_APPS:
        path = BASE / app / "services.py"
        if not path.exists():
            continue
        for node in ast.parse(path.read_text()).body:
            arguments = (
                [a.arg for a in (*node.args.args, *node.args.kwonlyargs)] if isinstance(node, ast.FunctionDef) else []
            )
            if "actor" in arguments and not node.name.startswith("_") and node.name not in NOT_ACTING_FOR:
                yield f"{app}.services.{node.name}", ast.get_docstring(node) or ""


def test_there_are_services_with_an_actor():
    assert len(list(services_with_actor())) > 40


@pytest.mark.parametrize(("name", "docstring"), list(services_with_actor()), ids=[n for n, _ in services_with_actor()])
def test_services_with_an_actor_state_who_and_the_lock(name, docstring):
    """STYLE.md: a write service's docstring states who may call it and the lock it takes or expects
    ("No lock" says so too)."""
    assert "lock" in docstring.lower(), f"{name}: say which lock it takes or expects, or that it needs none"
    who = ("admin", "instructor", "author", "student", "owner", "recipient", "manage", "platform", "moderator", "user")
    assert any(word in docstring.lower() for word in who), f"{name}: say who may call it"
