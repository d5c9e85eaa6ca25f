"""Drives `commis mcp` (the mcp_stdio example) with the official Python MCP client.

Usage: python python_client.py SERVER_EXE FOLDER COMMIS_HOME

FOLDER holds AzureInterior.pdf and old.txt. The script checks the handshake, the tool
list and several tool calls, then prints one JSON line with what the Rust test checks
next (the run ids, for undo). Any failed check raises, so the exit code is non-zero.
"""

import asyncio
import json
import sys

from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError


def text_of(result):
    return "\n".join(block.text for block in result.content if block.type == "text")


async def exercise(server, folder):
    report = {}
    # "legacy" forces the initialize handshake that Claude Desktop and most clients use.
    async with Client(server, mode="legacy") as client:
        assert client.server_info is not None, "no serverInfo in the initialize answer"
        assert client.server_info.name == "commis", client.server_info
        report["protocol_version"] = client.protocol_version

        listed = await client.list_tools()
        tools = {tool.name: tool for tool in listed.tools}
        for name in ["list_files", "read_document", "write_file", "move_file", "search_text"]:
            assert name in tools, f"{name} missing from tools/list: {sorted(tools)}"
        for name in ["propose_plan", "complete_step"]:
            assert name not in tools, f"{name} only makes sense inside commis's own loop"
        write_schema = tools["write_file"].input_schema
        assert write_schema.get("type") == "object", write_schema
        assert {"path", "content"} <= set(write_schema.get("properties", {})), write_schema
        assert tools["read_document"].description, "read_document has no description"
        report["tools"] = sorted(tools)

        listing = await client.call_tool("list_files", {})
        assert not listing.is_error, text_of(listing)
        assert "AzureInterior.pdf" in text_of(listing), text_of(listing)
        assert isinstance(listing.structured_content, dict), listing.structured_content

        document = await client.call_tool("read_document", {"path": "AzureInterior.pdf"})
        assert not document.is_error, text_of(document)
        assert "INV/2023/03/0008" in text_of(document), text_of(document)[:500]

        made = await client.call_tool("make_dir", {"path": "notes"})
        assert not made.is_error, text_of(made)
        written = await client.call_tool(
            "write_file", {"path": "notes/bonjour.txt", "content": "Bonjour, commis !\n"}
        )
        assert not written.is_error, text_of(written)
        report["write_run_id"] = written.structured_content["run_id"]

        moved = await client.call_tool("move_file", {"from": "old.txt", "to": "new.txt"})
        assert moved.is_error, f"move_file ran without --allow move: {text_of(moved)}"
        assert "--allow move" in text_of(moved), text_of(moved)
        report["move_refusal"] = text_of(moved)

        escaped = await client.call_tool("read_document", {"path": "../outside.txt"})
        assert escaped.is_error, "a path outside the granted folder was read"

        try:
            await client.call_tool("no_such_tool", {})
        except MCPError as error:
            report["unknown_tool_error"] = str(error)
        else:
            raise AssertionError("an unknown tool did not give a protocol error")

    # Without the "legacy" pin the client probes server/discover and speaks the newest
    # protocol revision when the server offers it.
    async with Client(server) as client:
        report["negotiated_protocol_version"] = client.protocol_version
        listing = await client.call_tool("list_files", {})
        assert not listing.is_error, text_of(listing)

    # --read-only: reading works, every change is refused.
    read_only = server.model_copy(update={"args": [*server.args, "--read-only"]})
    async with Client(read_only, mode="legacy") as client:
        listing = await client.call_tool("list_files", {})
        assert not listing.is_error, text_of(listing)
        refused = await client.call_tool("write_file", {"path": "x.txt", "content": "x"})
        assert refused.is_error, f"--read-only let write_file run: {text_of(refused)}"
        report["read_only_refusal"] = text_of(refused)
    return report


async def main():
    exe, folder, home = sys.argv[1:4]
    server = StdioServerParameters(command=exe, args=[folder], env={"COMMIS_HOME": home})
    report = await asyncio.wait_for(exercise(server, folder), timeout=120)
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main())
