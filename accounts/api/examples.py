"""Example bodies for the schema (sign-up, sign-in, tokens, profile, user admin), copied from real
responses. Tokens are shortened: real ones are longer JWTs of the same form."""

ACCESS = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwidXNlcl9pZCI6MTJ9.Xq3vT0kQm7bWc2"
REFRESH = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsInVzZXJfaWQiOjEyfQ.p8LzR1cY0dWq4"
PASSWORD = "correct-horse-battery-9"

AVATAR = {
    "url": "https://lms.example.com/files/public/2a7d4c1e-8b3f-4e6a-9d0c-7f1e2b3c4d5e/me.jpg",
    "thumb_url": "https://lms.example.com/files/public/2a7d4c1e-8b3f-4e6a-9d0c-7f1e2b3c4d5e/thumb.jpg",
}
STUDENT = {
    "id": 12,
    "email": "grace@example.com",
    "first_name": "Grace",
    "last_name": "Hopper",
    "role": "student",
    "language": "es",
    "date_joined": "2026-11-30T10:00:00Z",
    "avatar": None,
}
INSTRUCTOR_PROFILE = {
    "headline": "Professor of computer science",
    "bio": "I teach programming languages and systems.",
    "expertise": "Data abstraction, distributed systems",
    "website": "https://example.com/liskov",
}
INSTRUCTOR = {
    "id": 13,
    "email": "barbara@example.com",
    "first_name": "Barbara",
    "last_name": "Liskov",
    "role": "instructor",
    "language": "",
    "date_joined": "2026-11-30T10:05:00Z",
    "avatar": AVATAR,
    **INSTRUCTOR_PROFILE,
}
REGISTER = {
    "email": "grace@example.com",
    "password": PASSWORD,
    "first_name": "Grace",
    "last_name": "Hopper",
    "language": "es",
}
INSTRUCTOR_REGISTER = {
    "email": "barbara@example.com",
    "password": PASSWORD,
    "first_name": "Barbara",
    "last_name": "Liskov",
    **INSTRUCTOR_PROFILE,
}
TOKENS = {"access": ACCESS, "refresh": REFRESH}
REFRESH_BODY = {"refresh": REFRESH}
STUDENT_SIGNED_IN = {"user": STUDENT, **TOKENS}
INSTRUCTOR_SIGNED_IN = {"user": INSTRUCTOR, **TOKENS}
LOGIN = {"email": "grace@example.com", "password": PASSWORD}
INSTRUCTOR_LOGIN = {"email": "barbara@example.com", "password": PASSWORD}
ME_PATCH = {"headline": "Python teacher", "bio": "Ten years of teaching Python to beginners."}
ME_PATCHED = {**INSTRUCTOR, **ME_PATCH}
PASSWORD_CHANGE = {"old_password": "Correct-Horse-42", "new_password": PASSWORD}
PASSWORD_RESET = {"email": "grace@example.com"}
PASSWORD_RESET_CONFIRM = {"uid": "MTI", "token": "cf9k2d-8b1f0e5a7c3d9e2f4a6b8c0d1e3f5a7b", "new_password": PASSWORD}

ADMIN_USER = {
    "id": 12,
    "email": "grace@example.com",
    "first_name": "Grace",
    "last_name": "Hopper",
    "role": "student",
    "is_active": True,
    "date_joined": "2026-11-30T10:00:00Z",
    "last_login": "2026-11-30T12:41:07Z",
}
ADMIN_USER_PATCH = {"role": "instructor"}
ADMIN_USER_PATCHED = {**ADMIN_USER, **ADMIN_USER_PATCH}
