GRADING = {
    "weights": {"quizzes": 40, "assignments": 60},
    "pass_percent": 60,
    "letter_scale": [
        {"letter": "A", "min_percent": 90},
        {"letter": "B", "min_percent": 80},
        {"letter": "C", "min_percent": 70},
        {"letter": "D", "min_percent": 60},
        {"letter": "F", "min_percent": 0},
    ],
}
ITEMS = [
    {"id": "quiz-4", "kind": "quiz", "object_id": 4, "title": "HTTP basics", "points": 10},
    {"id": "assignment-7", "kind": "assignment", "object_id": 7, "title": "Write a typed client", "points": 100},
]
ROW = {
    "student": {"id": 42, "first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"},
    "scores": {"quiz-4": 8.0, "assignment-7": 76.5},
    "categories": {"quizzes": 80.0, "assignments": 76.5},
    "percent": 77.9,
    "letter": "C",
    "passed": True,
}
GRADEBOOK = {"count": 1, "next": None, "previous": None, "items": ITEMS, "rows": [ROW]}
GRADEBOOK_CSV = (
    "student_id,last_name,first_name,HTTP basics (quiz-4, 10 pts),Write a typed client (assignment-7, 100 pts),"
    "quizzes_percent,assignments_percent,percent,letter,passed\r\n"
    "42,Lovelace,Ada,8.00,76.50,80.00,76.50,77.90,C,yes\r\n"
)
MY_GRADES = {
    "course": 3,
    "items": [
        {**ITEMS[0], "score": 8.0, "score_hidden": False},
        {**ITEMS[1], "score": 76.5, "score_hidden": False},
    ],
    "categories": {"quizzes": 80.0, "assignments": 76.5},
    "percent": 77.9,
    "letter": "C",
    "passed": True,
    "pass_percent": 60,
}
