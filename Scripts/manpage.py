#!/usr/bin/env python3
"""Writes runnerdeck(1) from the argument parser's own description of the commands.

    Scripts/manpage.py path/to/runnerdeck > runnerdeck.1

The page is built from `runnerdeck --experimental-dump-help` (swift-argument-parser's tool info), so every
command, option, default and help text in it is the one the binary parses: it cannot drift from the code.
The sections the parser does not know (exit status, environment, files) are written here once.
"""
import datetime
import json
import subprocess
import sys


def roff(text):
    """Escapes text for roff: backslashes, and a leading period or quote that would read as a request."""
    text = text.replace("\\", "\\e")
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def paragraphs(text):
    """A help text as roff paragraphs; indented lines (examples) keep their layout."""
    out = []
    block = []
    literal = False
    for line in (text or "").strip("\n").split("\n"):
        is_literal = line.startswith("  ")
        if not line.strip():
            if block:
                out.append((literal, block))
            block, literal = [], False
            continue
        if block and is_literal != literal:
            out.append((literal, block))
            block = []
        literal = is_literal
        block.append(line)
    if block:
        out.append((literal, block))
    result = []
    for literal, lines in out:
        if literal:
            result += [".PP", ".nf", ".RS 4"] + [roff(line.strip()) for line in lines] + [".RE", ".fi"]
        else:
            result += [".PP", roff(" ".join(line.strip() for line in lines))]
    return result


def option_label(argument):
    names = []
    for name in argument.get("names", []):
        dash = "-" if name["kind"] == "short" else "--" if name["kind"] == "long" else "-"
        names.append("\\fB" + (dash + name["name"]).replace("-", "\\-") + "\\fR")
    label = ", ".join(names)
    value = argument.get("valueName")
    if argument["kind"] == "positional":
        return "\\fI" + roff(value or "value") + "\\fR" + (" ..." if argument.get("isRepeating") else "")
    if argument["kind"] == "option":
        label += " \\fI" + roff(value or "value") + "\\fR"
    return label


def options(arguments):
    lines = []
    for argument in arguments:
        if not argument.get("shouldDisplay", True):
            continue
        lines += [".TP", option_label(argument)]
        help_text = argument.get("abstract") or ""
        if argument.get("defaultValue") not in (None, ""):
            help_text += " (default: %s)" % argument["defaultValue"]
        if argument.get("allValues"):
            help_text += " Values: %s." % ", ".join(argument["allValues"])
        lines.append(roff(help_text.strip()) or "\\&")
        if argument.get("discussion") and isinstance(argument["discussion"], str):
            lines += [".IP", roff(argument["discussion"])]
    return lines


def synopsis(path, command):
    words = ["\\fB" + " ".join(path) + "\\fR"]
    for argument in command.get("arguments", []):
        if not argument.get("shouldDisplay", True):
            continue
        if argument["kind"] == "positional":
            word = option_label(argument)
            words.append(word if not argument.get("isOptional") else "[" + word + "]")
    if any(a["kind"] != "positional" and a.get("shouldDisplay", True) for a in command.get("arguments", [])):
        words.append("[\\fIoptions\\fR]")
    return " ".join(words)


def command_section(path, command):
    lines = [".SS " + roff(" ".join(path[1:]))]
    if command.get("aliases"):
        lines += [".PP", "Also: " + ", ".join("\\fB%s\\fR" % alias for alias in command["aliases"]) + "."]
    lines += [".PP", synopsis(path, command)]
    if command.get("abstract"):
        lines += [".PP", roff(command["abstract"])]
    lines += paragraphs(command.get("discussion"))
    lines += [".RS 4"] + options(command.get("arguments", [])) + [".RE"]
    for sub in command.get("subcommands", []):
        if sub.get("shouldDisplay", True) and sub["commandName"] != "help":
            lines += command_section(path + [sub["commandName"]], sub)
    return lines


EXIT_STATUS = [
    ("0", "success"),
    ("1", "domains --check found a record that is missing, wrong or shadowed"),
    ("3", "a wait (--wait or wait) gave up at --timeout; the operation carries on in App Runner"),
    ("4", "the waited operation ended in a rollback"),
    ("130", "interrupted"),
    ("252", "invalid command line: unknown command or option, bad value, a request the model's constraints refuse"),
    ("253", "configuration or credentials: unknown profile, no region, no credentials, expired SSO sign-in, wrong MFA code"),
    ("254", "the service answered with an error (not found, invalid state, throttled, access denied)"),
    ("255", "anything else: the network, a failed operation, an unexpected answer"),
]

ENVIRONMENT = [
    ("AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION", "the profile and region, as for the AWS CLI"),
    ("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN", "credentials, before the profile's"),
    ("AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE", "where the config and credentials files are"),
    ("AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_APPRUNNER", "another endpoint, e.g. a runnerdeck serve"),
    ("AWS_CA_BUNDLE", "certificates to trust for TLS"),
    ("AWS_DEFAULT_OUTPUT", "the output format of the scripting commands"),
    ("TERM, TERMINFO, TERMINFO_DIRS", "the terminal type and where its terminfo entry is; an unknown type falls back to xterm-256color, xterm, then vt100"),
    ("COLORTERM, NO_COLOR", "COLORTERM=truecolor or 24bit asks for the 256-colour palette where the terminfo entry has fewer colours; a non-empty NO_COLOR draws without colour"),
]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: manpage.py path/to/runnerdeck > runnerdeck.1")
    binary = sys.argv[1]
    info = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True, capture_output=True, text=True).stdout)
    version = subprocess.run([binary, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    root = info["command"]
    date = datetime.date.today().isoformat()
    lines = [
        '.\\" Generated by Scripts/manpage.py from runnerdeck --experimental-dump-help; do not edit.',
        '.TH RUNNERDECK 1 "%s" "runnerdeck %s" "User Commands"' % (date, roff(version)),
        ".SH NAME",
        "runnerdeck \\- " + roff(root.get("abstract", "")),
        ".SH SYNOPSIS",
        "\\fBrunnerdeck\\fR [\\fIoptions\\fR]",
        ".br",
        "\\fBrunnerdeck\\fR \\fIcommand\\fR [\\fIarguments\\fR] [\\fIoptions\\fR]",
        ".SH DESCRIPTION",
    ]
    lines += paragraphs(root.get("discussion"))
    lines += [".SH OPTIONS"] + options(root.get("arguments", []))
    lines += [".SH COMMANDS"]
    for sub in root.get("subcommands", []):
        if sub.get("shouldDisplay", True) and sub["commandName"] != "help":
            lines += command_section(["runnerdeck", sub["commandName"]], sub)
    lines += [".SH EXIT STATUS"]
    for code, meaning in EXIT_STATUS:
        lines += [".TP", "\\fB%s\\fR" % code, roff(meaning)]
    lines += [".SH ENVIRONMENT"]
    for names, meaning in ENVIRONMENT:
        lines += [".TP", "\\fB" + roff(names) + "\\fR", roff(meaning)]
    lines += [
        ".SH FILES",
        ".TP", "\\fI~/.aws/config\\fR, \\fI~/.aws/credentials\\fR", "profiles, regions and credentials, shared with the AWS CLI and SDKs",
        ".TP", "\\fI~/.aws/sso/cache\\fR, \\fI~/.aws/cli/cache\\fR", "IAM Identity Center tokens and MFA role credentials, shared with the AWS CLI",
        ".SH SEE ALSO",
        "\\fBaws\\fR(1)",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
