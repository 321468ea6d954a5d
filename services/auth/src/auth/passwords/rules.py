"""The password policy of spec/auth.md §5.1: length, character classes, runs, common passwords."""

import re
import string

SPECIAL_CHARACTERS = "!@#$%^&*()_+-=[]{};':\"\\|,.<>/?~`"
COMMON_PASSWORDS = frozenset(
    {
        # Classics from breach lists.
        "password", "password1", "password123", "passw0rd", "p@ssw0rd", "qwerty", "qwerty123",
        "letmein", "admin", "admin123", "administrator", "welcome", "welcome1", "welcome123",
        "iloveyou", "changeme", "monkey", "dragon", "football", "baseball", "sunshine", "princess",
        "trustno1", "master", "shadow", "superman", "starwars", "secret", "default", "login",
        "abc123", "123456", "12345678", "123456789", "1234567890", "111111", "000000",
        # Fire-service words a department's members reach for first.
        "firefighter", "firehouse", "firedepart", "firedepartment", "fireman", "firestation",
        "rescue", "engine", "ladder", "station", "department", "emergency", "medic", "paramedic",
        "ems", "ambulance", "truck", "squad", "hydrant", "chief", "captain", "volunteer",
    }
)  # fmt: skip
KEYBOARD_PATTERNS = (
    "qwerty", "asdfgh", "zxcvbn", "qazwsx", "qweasd", "!@#$%^", "1qaz2wsx", "1234qwer", "asdf1234",
)  # fmt: skip
_RUNS = frozenset(
    alphabet[i : i + 3]
    for alphabet in (string.digits, string.ascii_lowercase)
    for i in range(len(alphabet) - 2)
)
_REPEAT = re.compile(r"(.)\1\1", re.DOTALL)


def password_problems(
    password: str,
    *,
    require_upper: bool = True,
    require_lower: bool = True,
    require_digit: bool = True,
    require_special: bool = True,
    min_length: int = 12,
    max_length: int = 128,
) -> list[str]:
    """One sentence per broken §5.1 rule; an empty list means the password is acceptable."""
    lowered = password.lower()
    checks = (
        (len(password) < min_length, f"Password must be at least {min_length} characters long."),
        (len(password) > max_length, f"Password must be at most {max_length} characters long."),
        (require_upper and not any(c.isupper() for c in password),
         "Password must contain an uppercase letter."),
        (require_lower and not any(c.islower() for c in password),
         "Password must contain a lowercase letter."),
        (require_digit and not any(c in string.digits for c in password),
         "Password must contain a digit."),
        (require_special and not any(c in SPECIAL_CHARACTERS for c in password),
         f"Password must contain a special character ({SPECIAL_CHARACTERS})."),
        (any(lowered[i : i + 3] in _RUNS for i in range(len(lowered) - 2)),
         "Password must not contain a sequence such as 123 or abc."),
        (_REPEAT.search(password) is not None,
         "Password must not repeat a character 3 or more times in a row."),
        (lowered in COMMON_PASSWORDS, "Password is too common."),
        (any(pattern in lowered for pattern in KEYBOARD_PATTERNS),
         "Password must not contain a keyboard pattern such as qwerty."),
    )  # fmt: skip
    return [sentence for broken, sentence in checks if broken]


def policy_message(problems: list[str]) -> str:
    """The 400 detail: a lone problem as is, several counted and joined by '; '."""
    if len(problems) == 1:
        return problems[0]
    joined = "; ".join(problem.rstrip(".") for problem in problems)
    return f"Password has {len(problems)} problems: {joined}."
