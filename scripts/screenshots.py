"""Screenshots of every page for every role, at phone width (390 px) and at a
desktop's, on a fresh demo database:
`python scripts/screenshots.py [out/screens] [rep,pm] [390,1280]`.
Prints each page's width check; look at the pictures."""
from __future__ import annotations

import re
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import make_server  # noqa: E402

from meetings import create_app  # noqa: E402
from meetings.extensions import db  # noqa: E402
from tests.browser.crawl import MEASURE, crawl, sign_in  # noqa: E402

ROLES = ("rep", "pm", "rm", "staff", "marketing", "admin")


def main(out: Path, roles=ROLES, widths=(390, 1280)) -> None:
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from playwright.sync_api import sync_playwright

    from meetings.demo import PASSWORD, seed_demo

    out.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp()) / "demo.sqlite"
    app = create_app({"SECRET_KEY": "screens-secret-key-0123456789abcdef-0123", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for role in roles:
            for width in widths:
                context = browser.new_context(viewport={"width": width, "height": 844},
                                              device_scale_factor=1, locale="zh-CN")
                page = context.new_page()
                sign_in(page, base, role, PASSWORD)
                for url, status in crawl(page, base):
                    name = re.sub(r"[^\w=-]+", "_", url[len(base):]).strip("_")[:60] or "home"
                    m = page.evaluate(MEASURE)
                    flag = "WIDE" if m["scrollWidth"] > m["innerWidth"] else "ok"
                    print(f"{role:9} {width:4} {status} {flag:4} {url[len(base):]} {m['narrow'][:3]}")
                    page.screenshot(path=str(out / f"{role}-{width}-{name}.png"), full_page=True)
                context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    # python scripts/screenshots.py [out_dir] [role,role…] [width,width…]
    args = sys.argv[1:] + [None] * 3
    main(Path(args[0] or "out/screens"), tuple(args[1].split(",")) if args[1] else ROLES,
         tuple(int(w) for w in args[2].split(",")) if args[2] else (390, 1280))
