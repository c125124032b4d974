"""Where the form page and the autosave spend their time (`python bench/profile_form.py [page|autosave]`).

The app in-process (httpx's ASGI transport, no network, no server) on a fresh SQLite database seeded
as bench/form_speed.py does, with the thread pool replaced by direct calls so that the whole request
runs in the profiled thread; after a warm-up, N requests run under pyinstrument and its call tree is
printed (time in our code and the libraries, the slow parts first). Not part of `make bench`: it is
the tool for finding what to make faster, not a figure.
"""

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REQUESTS = 200


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "page"
    with tempfile.TemporaryDirectory(prefix="mp-profile-") as folder:
        workdir = Path(folder)
        database_url = f"sqlite:///{workdir / 'profile.db'}"
        os.environ.update({"MP_DATABASE_URL": database_url, "MP_MEDIA_DIR": str(workdir / "media"),
                           "MP_VAR_DIR": str(workdir / "var"),
                           "MP_SECRET_KEY": "profile-bench-secret-0123456789abcdef"})
        import anyio.to_thread
        import httpx
        from pyinstrument import Profiler

        from bench.form_speed import seed_world
        from bench.page_weight import PASSWORD, SHOPPER
        from tests.database import migrate
        from tests.web import csrf_from

        async def in_this_thread(func, *args, **_options):  # type: ignore[no-untyped-def]
            return func(*args)

        anyio.to_thread.run_sync = in_this_thread  # type: ignore[assignment]
        migrate(database_url)
        world = seed_world(database_url)
        from app.main import app

        async def run() -> Profiler:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
                token = csrf_from((await client.get("/login")).text)
                await client.post("/login", data={"email": SHOPPER, "password": PASSWORD, "csrf_token": token})
                page = f"/visits/{world.audit_id}/t/online"
                put = f"/api/v1/audits/{world.audit_id}/answers"
                headers = {"Authorization": f"Bearer {world.token}"}

                async def one(n: int) -> None:
                    if what == "page":
                        assert (await client.get(page)).status_code == 200
                    else:
                        body = {"answers": [{"item": world.item_key, "value": "yes" if n % 2 else "no"}]}
                        assert (await client.put(put, json=body, headers=headers)).status_code == 200

                for n in range(20):
                    await one(n)
                profiler = Profiler(interval=0.0005, async_mode="disabled")
                profiler.start()
                for n in range(REQUESTS):
                    await one(n)
                profiler.stop()
                return profiler

        profiler = asyncio.run(run())
    session = profiler.last_session
    print(f"{what}: {REQUESTS} requests, {session.duration / REQUESTS * 1000:.1f} ms each (wall, in-process)")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
