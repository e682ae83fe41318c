"""A shop owner's mistakes at the command line end in one sentence and exit 1, never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

from click.testing import CliRunner

from chatshop.cli import cli

SHOP = (
    '[shop]\nname = "Corner"\ncurrency = "INR"\n'
    '[[catalog.products]]\nid = "a"\ntitle = "A"\nprice = "1"\n[payments.cod]\n'
)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def shop(tmp_path: Path, extra: str = "") -> str:
    path = tmp_path / "shop.toml"
    path.write_text(SHOP + extra, encoding="utf-8")
    return str(path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_database_nobody_listens_on_is_a_storage_error(tmp_path: Path) -> None:
    toml = shop(tmp_path, f'[storage]\nurl = "postgresql://postgres@127.0.0.1:{free_port()}/shop"\n')
    for command in (["orders", toml], ["migrate", toml], ["order", toml, "K7M-4QX", "ship"]):
        code, output = run(*command)
        assert code == 1, command
        assert output.startswith(f"{toml}: 1 problem(s)") and "storage.url: cannot reach the database" in output


def test_serve_on_a_taken_port_says_so(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        code, output = run("serve", shop(tmp_path), "--port", port)
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}: address already in use" in output


def test_serve_with_a_port_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    code, output = run("serve", shop(tmp_path), "--port", "99999")
    assert code == 2 and "99999 is not in the range" in output


def test_a_catalog_path_that_is_a_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "catalog.csv").mkdir()
    code, output = run("check", shop(tmp_path, '[catalog]\nfile = "catalog.csv"\n'))
    assert code == 1 and "catalog.csv" in output and "Traceback" not in output


def test_plugin_section_errors_name_the_file(tmp_path: Path) -> None:
    code, output = run("check", shop(tmp_path, "[channels.nosuch]\n"))
    toml = str(tmp_path / "shop.toml")
    assert code == 1 and output.startswith(f"{toml}: 1 problem(s)") and "channels.nosuch" in output


def test_init_writes_nothing_when_either_file_is_there(tmp_path: Path) -> None:
    (tmp_path / "catalog.csv").write_text("mine\n", encoding="utf-8")
    code, output = run("init", str(tmp_path))
    assert code == 1 and "catalog.csv already exists" in output
    assert not (tmp_path / "shop.toml").exists()  # was written before the refusal
    assert (tmp_path / "catalog.csv").read_text(encoding="utf-8") == "mine\n"


def test_the_starter_shop_opens_its_web_chat(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "new"))[0] == 0
    code, output = run("check", str(tmp_path / "new" / "shop.toml"))
    assert code == 0 and "channels: webchat" in output


def test_orders_limit_must_be_positive(tmp_path: Path) -> None:
    code, output = run("orders", shop(tmp_path), "--limit", "-1")
    assert code == 2 and "--limit" in output


def test_shipping_twice_is_no_error_and_tells_the_customer_once(tmp_path: Path) -> None:
    import json

    demo = Path(__file__).parents[2] / "examples" / "kirana"
    for name in ("shop.toml", "catalog.csv"):
        (tmp_path / name).write_bytes((demo / name).read_bytes())
    toml = str(tmp_path / "shop.toml")
    script = "hi\natta\n1\ncheckout\n12 Hill Road, Bandra West, Mumbai 400050\n1\n"
    assert CliRunner().invoke(cli, ["chat", toml, "--customer", "twice"], input=script).exit_code == 0
    (order,) = json.loads(run("orders", toml, "--json")[1])
    first = run("order", toml, order["id"], "ship")
    again = run("order", toml, order["id"], "ship")
    assert first == (0, f"{order['id']}: shipped\n")
    assert again == (0, f"{order['id']}: already shipped; the customer was told the first time\n")
    assert run("order", toml, order["id"], "cancel")[0] == 1


def test_a_short_web_chat_secret_is_refused_at_its_key_path(tmp_path: Path) -> None:
    toml = shop(tmp_path, '[channels.webchat]\nsession_secret_env = "QA_CHAT_SECRET"\n')
    result = CliRunner().invoke(cli, ["check", toml], env={"QA_CHAT_SECRET": "short"})
    assert result.exit_code == 1
    assert "channels.webchat.session_secret_env: the secret in QA_CHAT_SECRET must be at least 16" in result.output
    assert CliRunner().invoke(cli, ["check", toml], env={"QA_CHAT_SECRET": "s" * 16}).exit_code == 0
