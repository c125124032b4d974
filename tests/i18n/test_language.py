"""The interface language: the user's saved choice, else the switcher's cookie, else Accept-Language;
pages, error pages and API errors all speak it."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from app.accounts.tokens import create_token
from tests.factories import PASSWORD, make_user
from tests.web import csrf_from, log_in

RU = {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


def test_the_login_page_follows_accept_language(client: TestClient) -> None:
    russian = client.get("/login", headers=RU)
    english = client.get("/login", headers=EN)

    assert russian.status_code == english.status_code == 200
    assert "Войти" in russian.text and "Электронная почта" in russian.text and '<html lang="ru">' in russian.text
    assert "Log in" in english.text and "Войти" not in english.text and '<html lang="en">' in english.text


def test_the_login_page_follows_the_first_supported_language_by_quality(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "de-DE, fr;q=0.9, ru;q=0.8, en;q=0.7"})

    assert "Войти" in page.text


def test_a_wrong_password_is_refused_in_the_readers_language(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.shopper)
    token = csrf_from(client.get("/login", headers=RU).text)

    response = client.post("/login", headers=RU, data={"email": user.email, "password": "wrong password!",
                                                       "csrf_token": token})

    assert "Неверный адрес электронной почты или пароль." in response.text


def test_the_switcher_sets_the_cookie_and_the_next_page_speaks_that_language(client: TestClient) -> None:
    token = csrf_from(client.get("/login", headers=EN).text)

    switched = client.post("/language", headers=EN, data={"language": "ru", "next": "/login",
                                                          "csrf_token": token})
    page = client.get(switched.headers["location"], headers=EN)

    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    assert "mp_lang=ru" in switched.headers["set-cookie"]
    assert "Войти" in page.text and '<html lang="ru">' in page.text


def test_the_switcher_ignores_an_unknown_language_and_an_outside_next(client: TestClient) -> None:
    token = csrf_from(client.get("/login", headers=EN).text)

    switched = client.post("/language", headers=EN, data={"language": "de", "next": "//evil.example/",
                                                          "csrf_token": token})

    assert switched.status_code == 303 and switched.headers["location"] == "/"
    assert "mp_lang" not in switched.headers.get("set-cookie", "")


def test_the_switcher_refuses_a_post_without_the_csrf_token(client: TestClient) -> None:
    client.get("/login", headers=EN)

    response = client.post("/language", headers=EN, data={"language": "ru"})

    assert response.status_code == 403


def test_the_switcher_saves_a_logged_in_users_choice(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.admin)
    log_in(client, user.email, PASSWORD)

    switched = client.post("/language", headers=EN, data={"language": "ru", "next": "/profile"})
    client.cookies.delete("mp_lang")  # the choice is kept on the account, not only in this browser
    profile = client.get("/profile", headers=EN)

    session.refresh(user)
    assert switched.status_code == 303 and user.language == "ru"
    assert "Язык интерфейса" in profile.text


def test_a_users_saved_language_wins_over_accept_language(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.admin, language="ru")
    log_in(client, user.email, PASSWORD)
    client.cookies.delete("mp_lang")

    page = client.get("/profile", headers=EN)

    assert page.status_code == 200
    assert "Профиль" in page.text and "Выйти" in page.text and '<html lang="ru">' in page.text


def test_an_english_speaker_keeps_english_although_the_browser_asks_for_russian(
        client: TestClient, session: Session) -> None:
    user = make_user(session, Role.admin, language="en")
    log_in(client, user.email, PASSWORD)

    page = client.get("/profile", headers=RU)

    assert "Log out" in page.text and "Выйти" not in page.text


def test_error_pages_speak_the_users_language(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.admin, language="ru")
    log_in(client, user.email, PASSWORD)

    missing_action = client.get("/actions/999999", headers=EN)
    no_such_page = client.get("/no-such-page", headers=EN)
    fragment = client.get("/actions/999999", headers=EN | {"HX-Request": "true"})

    assert missing_action.status_code == no_such_page.status_code == fragment.status_code == 404
    assert "Мероприятия 999999 нет." in missing_action.text and "<html" in missing_action.text
    assert "Не найдено" in no_such_page.text and "Вернуться на главную страницу" in no_such_page.text
    assert "Мероприятия 999999 нет." in fragment.text and "<html" not in fragment.text


def test_api_errors_speak_the_users_language(client: TestClient, session: Session) -> None:
    russian = make_user(session, Role.admin, language="ru")
    english = make_user(session, Role.admin, language="en")
    _token, russian_token = create_token(session, user=russian)
    _token, english_token = create_token(session, user=english)

    in_russian = client.get("/api/v1/actions/999999", headers=EN | {"Authorization": f"Bearer {russian_token}"})
    in_english = client.get("/api/v1/actions/999999", headers=RU | {"Authorization": f"Bearer {english_token}"})

    assert in_russian.status_code == in_english.status_code == 404
    assert in_russian.json() == {"detail": "Мероприятия 999999 нет."}
    assert in_english.json() == {"detail": "There is no action 999999."}


def test_api_errors_of_an_anonymous_client_follow_accept_language(client: TestClient) -> None:
    unknown = client.get("/api/v1/no-such-thing", headers=RU)
    revoked = client.get("/api/v1/actions", headers=RU | {"Authorization": "Bearer mp_not-a-real-token"})

    assert unknown.status_code == 404 and unknown.json() == {"detail": "Не найдено."}
    assert revoked.status_code == 401 and revoked.json() == {"detail": "API-токен недействителен или отозван."}


def test_plural_forms_follow_russian_grammar(client: TestClient, session: Session) -> None:
    from app import i18n

    i18n.set_language("ru")

    forms = [i18n.ngettext("%(num)d problem", "%(num)d problems", n) % {"num": n} for n in (1, 3, 5, 21, 11)]

    assert forms == ["1 ошибка", "3 ошибки", "5 ошибок", "21 ошибка", "11 ошибок"]
