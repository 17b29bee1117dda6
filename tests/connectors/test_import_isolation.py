"""The admin API and the ingest process never load Rasa or TensorFlow (thousands of modules,
seconds, hundreds of MB): each is imported in a fresh interpreter and its modules checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.connectors.test_webhook import PLATFORM_ENV, ROOT

HEAVY = ("rasa", "tensorflow")
REPORT = "import json, sys; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"


def top_level_modules(code: str, tmp_path: Path) -> set[str]:
    """The top-level packages a fresh interpreter holds after running `code`."""
    env = {**os.environ, **PLATFORM_ENV, "PYTHONPATH": str(ROOT)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unused.db'}"  # nothing connects
    done = subprocess.run([sys.executable, "-c", f"{code}\n{REPORT}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("import api.main", id="api"),
        pytest.param(
            "import connectors.ingest as ingest\n"
            "ingest.create_app(ingest.ingest_services('credentials.yml'))",
            id="ingest",
        ),
        pytest.param(
            "from connectors.whatsapp import send_whatsapp_message\n"
            "from connectors.telegram import api, platform, send_telegram_message\n"
            "from connectors.instagram import send_instagram_message",
            id="send-api",
        ),
    ],
)
def test_loads_neither_rasa_nor_tensorflow(code: str, tmp_path: Path) -> None:
    loaded = top_level_modules(code, tmp_path)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_the_api_does_not_load_sanic_either(tmp_path: Path) -> None:
    assert "sanic" not in top_level_modules("import api.main", tmp_path)


def test_the_rasa_channels_still_resolve_lazily(tmp_path: Path) -> None:
    code = (
        "from rasa.shared.utils.common import class_from_module_path as load\n"
        "for path in ('connectors.whatsapp.WhatsAppInput', 'connectors.telegram.TelegramInput',"
        " 'connectors.instagram.InstagramInput'):\n"
        "    assert load(path).name() in path.lower(), path"
    )
    assert "rasa" in top_level_modules(code, tmp_path)
