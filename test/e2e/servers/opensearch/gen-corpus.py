#!/usr/bin/env python3
"""Writes corpus.ndjson: documents shaped exactly like flake-info's export (schema 51) for the peer.

Sources: the `_source` of every hit in test/fixtures/es-*.json (recorded answer shapes), then a few
hundred packages and options written here from nixpkgs / NixOS / Home Manager / nix-darwin knowledge.
Field set, order and types follow flake-info/src/data/export.rs (Derivation::Package / Option /
HomeManagerOption / DarwinOption / Service): every field present, `null` where flake-info writes None,
`package_dep_count` / `package_repology_repos` omitted when unknown (skip_serializing_if), and
`package_programs` only for top-level attributes (programs.sqlite knows no package-set members).
Versions, counts and positions are plausible, not copied from a real index.

Usage: gen-corpus.py [OUT]   (default: corpus.ndjson beside this script). Deterministic.
One line per document: {"_id": ..., "_source": {...}}; up.sh turns it into a bulk request.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "..", "fixtures")

LINUX = ["x86_64-linux", "aarch64-linux", "i686-linux", "armv7l-linux", "riscv64-linux", "powerpc64le-linux"]
ALL = LINUX + ["x86_64-darwin", "aarch64-darwin"]
X64 = ["x86_64-linux"]
X64D = ["x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"]

LICENSES = {
    "MIT": ("MIT License", "mit"),
    "Apache-2.0": ("Apache License 2.0", "asl20"),
    "GPL-2.0-only": ("GNU General Public License v2.0 only", "gpl2Only"),
    "GPL-2.0-or-later": ("GNU General Public License v2.0 or later", "gpl2Plus"),
    "GPL-3.0-or-later": ("GNU General Public License v3.0 or later", "gpl3Plus"),
    "GPL-3.0-only": ("GNU General Public License v3.0 only", "gpl3Only"),
    "LGPL-2.1-or-later": ("GNU Lesser General Public License v2.1 or later", "lgpl21Plus"),
    "BSD-3-Clause": ("BSD 3-clause \"New\" or \"Revised\" License", "bsd3"),
    "BSD-2-Clause": ("BSD 2-clause \"Simplified\" License", "bsd2"),
    "MPL-2.0": ("Mozilla Public License 2.0", "mpl20"),
    "Unlicense": ("The Unlicense", "unlicense"),
    "Vim": ("Vim License", "vim"),
    "ISC": ("ISC License", "isc"),
    "PSF-2.0": ("Python Software Foundation License version 2", "psfl"),
    "Zlib": ("zlib License", "zlib"),
    "AGPL-3.0-or-later": ("GNU Affero General Public License v3.0 or later", "agpl3Plus"),
    "PostgreSQL": ("PostgreSQL License", "postgresql"),
    "curl": ("curl License", "curl"),
    "OpenSSL": ("OpenSSL License", "openssl"),
    "BSD-1-Clause": ("BSD 1-Clause License", "bsd1"),
    "Artistic-1.0": ("Artistic License 1.0", "artistic1"),
}
UNFREE = {"unfree": "Unfree", "unfreeRedistributable": "Unfree redistributable"}

MAINTAINERS = [
    ("Ada Example", "ada-example"), ("Bo Sample", "bosample"), ("Chen Placeholder", "chenph"),
    ("Dana Fictive", "dfictive"), ("Eli Testcase", "elitest"), ("Fay Mock", "faymock"),
    ("Gus Dummy", "gusdummy"), ("Hana Stub", "hanastub"),
]
# more than five maintainers (nix): the card shows five and "+N more"; one has no GitHub handle
MANY_MAINTAINERS = MAINTAINERS[:6] + [("Ivo Nohandle", None)]
TEAMS = {
    "Mozilla": ("Maintain Mozilla applications.", ["mozilla"]),
    "Python": ("Maintain the Python interpreter and related packages.", ["python"]),
    "Node.js": ("Maintain Node.js runtimes and related packages.", ["node"]),
    "Neovim": ("Maintain the vim and neovim text editors and related packages.", ["neovim"]),
    "Haskell": ("Maintain Haskell packages and infrastructure.", ["haskell"]),
    "Nix": ("Maintain the Nix package manager.", ["nix-team"]),
    "PostgreSQL": ("Maintain the PostgreSQL package and plugins along with the NixOS module.", ["postgres"]),
}


def license_obj(key):
    if key in UNFREE:
        return {"url": None, "fullName": UNFREE[key], "shortName": key, "spdxId": None}
    full, short = LICENSES[key]
    return {"url": f"https://spdx.org/licenses/{key}.html", "fullName": full, "shortName": short, "spdxId": key}


def license_set_name(key):
    return key  # License::display_name: spdxId, else shortName


def package(attr, pname, version, description, *, programs=(), main=None, homepage=(), licenses=("MIT",),
            dep=None, repo=None, position=None, outputs=("out",), platforms=ALL, long=None, teams=(), m=0,
            services=(), maintainers=None):
    parts = attr.split(".")
    attr_set = parts[0] if len(parts) > 1 else "No package set"
    maint = list(maintainers) if maintainers is not None else [MAINTAINERS[(m + i) % len(MAINTAINERS)] for i in range(1 + (len(attr) % 2))]
    doc = {
        "type": "package",
        "package_attr_name": attr,
        "package_attr_set": attr_set,
        "package_pname": pname,
        "package_pversion": version,
        "package_platforms": list(platforms),
        "package_outputs": list(outputs),
        "package_default_output": "out",
        "package_programs": list(programs),
        "package_mainProgram": main,
        "package_license": [license_obj(k) for k in licenses],
        "package_license_set": [license_set_name(k) for k in licenses],
        "package_license_expression": None,
        "package_maintainers": [{"name": n, "github": g, "email": None} for n, g in maint],
        "package_maintainers_set": [n for n, _ in maint],
        "package_teams": [
            {"members": [{"name": maint[0][0], "github": maint[0][1], "email": None}], "scope": TEAMS[t][0],
             "shortName": t, "githubTeams": TEAMS[t][1]} for t in teams],
        "package_teams_set": list(teams),
        "package_description": description,
        "package_longDescription": long,
        "package_hydra": None,
        "package_system": "x86_64-linux",
        "package_homepage": list(homepage),
        "package_position": position or guess_position(attr, pname),
        "package_modular_services": list(services),
    }
    if dep:
        doc["package_dep_count"] = dep
    if repo:
        doc["package_repology_repos"] = repo
    return doc


def guess_position(attr, pname):
    if "." in attr:
        s, n = attr.split(".", 1)
        if s.startswith("python3"):
            return f"pkgs/development/python-modules/{n}/default.nix:40"
        if s == "vimPlugins":
            return "pkgs/applications/editors/vim/plugins/generated.nix:1200"
        if s == "haskellPackages":
            return "pkgs/development/haskell-modules/hackage-packages.nix:12000"
        if s == "nodePackages":
            return "pkgs/development/node-packages/node-packages.nix:100"
        if s == "perlPackages":
            return "pkgs/top-level/perl-packages.nix:3000"
        return f"pkgs/top-level/{s}.nix:100"
    return f"pkgs/by-name/{pname[:2].lower()}/{pname}/package.nix:30"


PKGS = []


def P(*a, **k):
    PKGS.append(package(*a, **k))


# ---- browsers (firefox, firefox-esr and firefox-bin come from the fixture) --------------------------
MOZ = ["http://www.mozilla.com/en-US/firefox/"]
FFPOS = "pkgs/applications/networking/browsers/firefox/wrapper.nix:489"
P("firefox-unwrapped", "firefox", "158.0.1", "Web browser built from Firefox source tree", homepage=MOZ, licenses=("MPL-2.0",), dep=37, outputs=("out", "symbols"), platforms=LINUX, teams=("Mozilla",), position="pkgs/applications/networking/browsers/firefox/packages/firefox.nix:10")
P("firefox-esr-unwrapped", "firefox-esr", "153.4.0esr", "Web browser built from Firefox Extended Support Release source tree", homepage=MOZ, licenses=("MPL-2.0",), dep=4, platforms=LINUX, teams=("Mozilla",), position="pkgs/applications/networking/browsers/firefox/packages/firefox-esr-153.nix:9")
P("firefox-devedition", "firefox-devedition", "159.0b6", "Web browser built from Firefox Developer Edition source tree", programs=["firefox-devedition"], main="firefox-devedition", homepage=MOZ, licenses=("MPL-2.0",), dep=1, repo=9, platforms=LINUX, teams=("Mozilla",), position=FFPOS)
P("firefox-devedition-unwrapped", "firefox-devedition", "159.0b6", "Web browser built from Firefox Developer Edition source tree", homepage=MOZ, licenses=("MPL-2.0",), dep=2, platforms=LINUX, teams=("Mozilla",), position="pkgs/applications/networking/browsers/firefox/packages/firefox-devedition.nix:11")
P("firefox-beta", "firefox-beta", "159.0b6", "Web browser built from Firefox Beta Release source tree", programs=["firefox-beta"], main="firefox-beta", homepage=MOZ, licenses=("MPL-2.0",), repo=7, platforms=LINUX, teams=("Mozilla",), position=FFPOS)
P("firefox-beta-unwrapped", "firefox-beta", "159.0b6", "Web browser built from Firefox Beta Release source tree", homepage=MOZ, licenses=("MPL-2.0",), dep=1, platforms=LINUX, teams=("Mozilla",))
P("firefox-bin-unwrapped", "firefox-bin", "158.0.1", "Mozilla Firefox, free web browser (binary package)", homepage=["https://www.mozilla.org/firefox/"], licenses=("unfreeRedistributable",), dep=1, platforms=X64D, teams=("Mozilla",))
P("firefox-devedition-bin", "firefox-devedition-bin", "159.0b6", "Mozilla Firefox Developer Edition, free web browser (binary package)", programs=["firefox-devedition"], main="firefox-devedition", homepage=["https://www.mozilla.org/firefox/"], licenses=("unfreeRedistributable",), platforms=X64D)
P("firefox-beta-bin", "firefox-beta-bin", "159.0b6", "Mozilla Firefox Beta, free web browser (binary package)", programs=["firefox-beta"], main="firefox-beta", homepage=["https://www.mozilla.org/firefox/"], licenses=("unfreeRedistributable",), platforms=X64D)
P("firefoxpwa", "firefoxpwa", "2.15.0", "Tool to install, manage and use Progressive Web Apps in Mozilla Firefox", programs=["firefoxpwa", "firefoxpwa-connector"], main="firefoxpwa", homepage=["https://pwasforfirefox.filips.si/"], licenses=("MPL-2.0",), repo=6, platforms=LINUX)
P("firefox_decrypt", "firefox_decrypt", "1.1.1", "Tool to extract passwords from profiles of Mozilla Firefox and derivates", programs=["firefox_decrypt"], main="firefox_decrypt", homepage=["https://github.com/unode/firefox_decrypt"], licenses=("GPL-3.0-or-later",), repo=5)
P("firefox-sync-client", "firefox-sync-client", "1.9.0", "Commandline-utility to list/view/edit/delete entries in a firefox-sync account", programs=["ffsclient"], main="ffsclient", homepage=["https://github.com/Mikescher/firefox-sync-client"], licenses=("Apache-2.0",), repo=2)
P("ff2mpv", "ff2mpv", "5.1.0", "Native Messaging Host for ff2mpv firefox addon", programs=["ff2mpv.py"], homepage=["https://github.com/woodruffw/ff2mpv"], licenses=("MIT",), repo=4)
P("geckodriver", "geckodriver", "0.36.0", "Proxy for using W3C WebDriver-compatible clients to interact with Gecko-based browsers", programs=["geckodriver"], main="geckodriver", homepage=["https://github.com/mozilla/geckodriver"], licenses=("MPL-2.0",), dep=11, repo=28)
P("librewolf", "librewolf", "158.0.1-1", "Fork of Firefox, focused on privacy, security and freedom", programs=["librewolf"], main="librewolf", homepage=["https://librewolf.net/"], licenses=("MPL-2.0",), repo=14, platforms=LINUX, position=FFPOS)
P("floorp-bin", "floorp-bin", "12.3.2", "Fork of Firefox, focused on keeping the Open, Private and Sustainable Web alive, built in Japan", programs=["floorp"], main="floorp", homepage=["https://floorp.app/"], licenses=("MPL-2.0",), repo=5, platforms=X64D)
P("passff-host", "passff-host", "1.2.4", "Host app for the WebExtension PassFF", homepage=["https://github.com/passff/passff-host"], licenses=("GPL-2.0-only",), repo=5)
P("tridactyl-native", "tridactyl-native", "0.5.0", "Tridactyl native messaging host application", programs=["native_main"], homepage=["https://github.com/tridactyl/native_messenger"], licenses=("BSD-2-Clause",), repo=3)
P("chromium", "chromium", "140.0.7339.80", "Open source web browser from Google", programs=["chromium", "chromium-browser"], main="chromium", homepage=["https://www.chromium.org/"], licenses=("BSD-3-Clause",), dep=24, repo=71, platforms=LINUX)
P("google-chrome", "google-chrome", "140.0.7339.80", "Freeware web browser developed by Google", programs=["google-chrome-stable", "google-chrome"], main="google-chrome-stable", homepage=["https://www.google.com/chrome/browser/"], licenses=("unfree",), repo=12, platforms=X64D)
P("brave", "brave", "1.82.166", "Privacy-oriented browser for Desktop and Laptop computers", programs=["brave"], main="brave", homepage=["https://brave.com/"], licenses=("MPL-2.0",), repo=10, platforms=["x86_64-linux", "aarch64-linux"])
P("thunderbird", "thunderbird", "143.0", "Full-featured e-mail client", programs=["thunderbird"], main="thunderbird", homepage=["https://thunderbird.net/"], licenses=("MPL-2.0",), dep=3, repo=80, platforms=LINUX, teams=("Mozilla",))

# ---- hello ---------------------------------------------------------------------------------------------
P("hello", "hello", "2.12.2", "Program that produces a familiar, friendly greeting", programs=["hello"], main="hello", homepage=["https://www.gnu.org/software/hello/manual/"], licenses=("GPL-3.0-or-later",), dep=3, repo=74, long="<rendered-html><p>GNU Hello is a program that prints &quot;Hello, world!&quot; when you run it. It is fully customizable.</p>\n</rendered-html>")
P("hello-wayland", "hello-wayland", "0-unstable-2024-03-04", "Hello world Wayland client", programs=["hello-wayland"], main="hello-wayland", homepage=["https://github.com/emersion/hello-wayland"], licenses=("MIT",), repo=3, platforms=LINUX)
P("hello-unfree", "example-unfree-package", "1.0", "Example package with unfree license (for testing)", programs=["hello-unfree"], main="hello-unfree", licenses=("unfree",), platforms=LINUX)
P("hello-cpp", "hello-cpp", "0.1.0", "Basic sanity check that C++ and cmake infrastructure are working", programs=["hello"], licenses=("MIT",))
P("haskellPackages.hello", "hello", "1.0.0.2", "Hello World, an example package", licenses=("BSD-3-Clause",), platforms=ALL, m=3)
P("cowsay", "cowsay", "3.8.4", "Program which generates ASCII pictures of a cow with a message", programs=["cowsay", "cowthink"], main="cowsay", homepage=["https://cowsay.diamonds"], licenses=("GPL-3.0-only",), dep=2, repo=66)
P("figlet", "figlet", "2.2.5", "Program for making large letters out of ordinary text", programs=["figlet", "chkfont", "figlist", "showfigfonts"], main="figlet", homepage=["http://www.figlet.org/"], licenses=("BSD-3-Clause",), dep=4, repo=72)

# ---- search tools ---------------------------------------------------------------------------------------
P("ripgrep-all", "ripgrep-all", "0.10.9", "Ripgrep, but also search in PDFs, E-Books, Office documents, zip, tar.gz, and more", programs=["rga", "rga-fzf", "rga-fzf-open", "rga-preproc"], main="rga", homepage=["https://github.com/phiresky/ripgrep-all"], licenses=("AGPL-3.0-or-later",), repo=15)
P("repgrep", "repgrep", "0.16.1", "Interactive replacer for ripgrep that makes it easy to find and replace across files on the command line", programs=["rgr"], main="rgr", homepage=["https://github.com/acheronfail/repgrep"], licenses=("Unlicense", "MIT"), repo=3)
P("rgbds", "rgbds", "0.9.4", "Free assembler/linker package for the Game Boy and Game Boy Color", programs=["rgbasm", "rgblink", "rgbfix", "rgbgfx"], homepage=["https://rgbds.gbdev.io/"], licenses=("MIT",), repo=9)
P("rgxg", "rgxg", "0.1.2", "C library and a command-line tool to generate (extended) regular expressions", programs=["rgxg"], main="rgxg", homepage=["https://rgxg.github.io/"], licenses=("Zlib",), repo=3)
P("python313Packages.ripgrepy", "ripgrepy", "2.2.0", "Python interface to ripgrep", homepage=["https://github.com/securisec/ripgrepy"], licenses=("MIT",), m=4)
P("ugrep", "ugrep", "7.5.0", "Ultra fast grep with interactive query UI", programs=["ugrep", "ug", "ugrep+", "ug+", "ugrep-indexer"], main="ugrep", homepage=["https://github.com/Genivia/ugrep"], licenses=("BSD-3-Clause",), repo=30)
P("silver-searcher", "silver-searcher", "2.2.0", "Code-searching tool similar to ack, but faster", programs=["ag"], main="ag", homepage=["https://github.com/ggreer/the_silver_searcher/"], licenses=("Apache-2.0",), dep=6, repo=55)
P("gnugrep", "gnugrep", "3.12", "GNU implementation of the Unix grep command", programs=["grep", "egrep", "fgrep"], main="grep", homepage=["https://www.gnu.org/software/grep/"], licenses=("GPL-3.0-or-later",), dep=2100, repo=110, outputs=("out", "info"))
P("fd", "fd", "10.3.0", "Simple, fast and user-friendly alternative to find", programs=["fd"], main="fd", homepage=["https://github.com/sharkdp/fd"], licenses=("Apache-2.0", "MIT"), dep=14, repo=63)
P("fzf", "fzf", "0.65.2", "Command-line fuzzy finder written in Go", programs=["fzf", "fzf-tmux", "fzf-share"], main="fzf", homepage=["https://github.com/junegunn/fzf"], licenses=("MIT",), dep=48, repo=78)
P("fdupes", "fdupes", "2.4.0", "Identifies duplicate files residing within specified directories", programs=["fdupes"], main="fdupes", homepage=["https://github.com/adrianlopezroche/fdupes"], licenses=("MIT",), repo=60)
P("fdm", "fdm", "2.2", "Mail fetching and delivery tool - should do the job of getmail and procmail", programs=["fdm"], main="fdm", homepage=["https://github.com/nicm/fdm"], licenses=("ISC",), repo=20)
P("dtc", "dtc", "1.7.2", "Device Tree Compiler", programs=["dtc", "fdtget", "fdtput", "fdtdump", "fdtoverlay", "convert-dtsv0", "dtdiff"], main="dtc", homepage=["https://git.kernel.org/pub/scm/utils/dtc/dtc.git"], licenses=("GPL-2.0-or-later",), dep=60, repo=50)
P("findutils", "findutils", "4.10.0", "GNU Find Utilities, the basic directory searching utilities of the GNU operating system", programs=["find", "xargs", "locate", "updatedb"], main="find", homepage=["https://www.gnu.org/software/findutils/"], licenses=("GPL-3.0-or-later",), dep=900, repo=105)
P("bat", "bat", "0.25.0", "Cat(1) clone with syntax highlighting and Git integration", programs=["bat"], main="bat", homepage=["https://github.com/sharkdp/bat"], licenses=("Apache-2.0", "MIT"), dep=9, repo=60)
P("eza", "eza", "0.23.3", "Modern, maintained replacement for ls", programs=["eza"], main="eza", homepage=["https://github.com/eza-community/eza"], licenses=("MIT",), dep=2, repo=35)
P("jq", "jq", "1.8.1", "Lightweight and flexible command-line JSON processor", programs=["jq"], main="jq", homepage=["https://jqlang.github.io/jq/"], licenses=("MIT",), dep=980, repo=95, outputs=("bin", "doc", "man", "dev", "lib", "out"))
P("yq-go", "yq-go", "4.47.2", "Portable command-line YAML processor", programs=["yq"], main="yq", homepage=["https://mikefarah.gitbook.io/yq/"], licenses=("MIT",), dep=20, repo=28)
P("htop", "htop", "3.4.1", "Interactive process viewer", programs=["htop"], main="htop", homepage=["https://htop.dev"], licenses=("GPL-2.0-only",), dep=3, repo=90)
P("btop", "btop", "1.4.5", "Monitor of resources", programs=["btop"], main="btop", homepage=["https://github.com/aristocratos/btop"], licenses=("Apache-2.0",), repo=40)
P("tmux", "tmux", "3.5a", "Terminal multiplexer", programs=["tmux"], main="tmux", homepage=["https://tmux.github.io/"], licenses=("BSD-3-Clause",), dep=25, repo=95)
P("curl", "curl", "8.16.0", "Command line tool for transferring files with URL syntax", programs=["curl", "curl-config"], main="curl", homepage=["https://curl.se/"], licenses=("curl",), dep=4200, repo=118, outputs=("bin", "dev", "out", "man", "devdoc"))
P("curlFull", "curl", "8.16.0", "Command line tool for transferring files with URL syntax", programs=["curl", "curl-config"], main="curl", homepage=["https://curl.se/"], licenses=("curl",), dep=6)
P("wget", "wget", "1.25.0", "Tool for retrieving files using HTTP, HTTPS, and FTP", programs=["wget"], main="wget", homepage=["https://www.gnu.org/software/wget/"], licenses=("GPL-3.0-or-later",), dep=120, repo=100)
P("openssh", "openssh", "10.0p2", "Implementation of the SSH protocol", programs=["ssh", "scp", "sftp", "ssh-keygen", "ssh-agent", "ssh-add", "sshd", "ssh-keyscan", "ssh-copy-id"], main="ssh", homepage=["https://www.openssh.com/"], licenses=("BSD-2-Clause",), dep=310, repo=98)
P("coreutils", "coreutils", "9.8", "GNU Core Utilities", programs=["ls", "cat", "cp", "mv", "rm", "ln", "mkdir", "chmod", "chown", "date", "echo", "env", "head", "tail", "sort", "uniq", "wc", "tr", "cut", "df", "du", "basename", "dirname", "readlink", "realpath", "sha256sum", "tee", "touch", "true", "false"], homepage=["https://www.gnu.org/software/coreutils/"], licenses=("GPL-3.0-or-later",), dep=5200, repo=110, outputs=("out", "info"))
P("util-linux", "util-linux", "2.41.1", "Set of system utilities for Linux", programs=["fdisk", "sfdisk", "cfdisk", "mount", "umount", "lsblk", "blkid", "findmnt", "mkswap", "swapon", "dmesg", "kill", "more", "script", "unshare", "nsenter"], homepage=["https://en.wikipedia.org/wiki/Util-linux"], licenses=("GPL-2.0-only",), dep=1500, repo=70, platforms=LINUX)

# ---- git -------------------------------------------------------------------------------------------------
GITP = ["git", "git-cvsserver", "git-receive-pack", "git-shell", "git-upload-archive", "git-upload-pack", "scalar"]
GITH = ["https://git-scm.com/"]
GITPOS = "pkgs/applications/version-management/git/default.nix:610"
P("git", "git", "2.51.0", "Distributed version control system", programs=GITP, main="git", homepage=GITH, licenses=("GPL-2.0-only",), dep=1900, repo=120, outputs=("out", "doc"), position=GITPOS, long="<rendered-html><p>Git, a popular distributed version control system designed to handle very large projects with speed and efficiency.</p>\n</rendered-html>")
P("gitFull", "git", "2.51.0", "Distributed version control system", programs=GITP + ["git-credential-libsecret", "gitk", "git-gui"], main="git", homepage=GITH, licenses=("GPL-2.0-only",), dep=16, outputs=("out", "doc"), position=GITPOS, long="<rendered-html><p>Git, a popular distributed version control system designed to handle very large projects with speed and efficiency.</p>\n</rendered-html>")
P("gitMinimal", "git", "2.51.0", "Distributed version control system", programs=GITP, main="git", homepage=GITH, licenses=("GPL-2.0-only",), dep=3400, outputs=("out", "doc"), position=GITPOS)
P("gitSVN", "git", "2.51.0", "Distributed version control system", programs=GITP + ["git-svn"], main="git", homepage=GITH, licenses=("GPL-2.0-only",), dep=2, position=GITPOS)
P("git-lfs", "git-lfs", "3.7.0", "Git extension for versioning large files", programs=["git-lfs"], main="git-lfs", homepage=["https://git-lfs.github.com/"], licenses=("MIT",), dep=40, repo=70)
P("git-crypt", "git-crypt", "0.8.0", "Transparent file encryption in git", programs=["git-crypt"], main="git-crypt", homepage=["https://www.agwa.name/projects/git-crypt"], licenses=("GPL-3.0-or-later",), repo=50)
P("gitui", "gitui", "0.27.0", "Blazing fast terminal-ui for Git written in Rust", programs=["gitui"], main="gitui", homepage=["https://github.com/extrawurst/gitui"], licenses=("MIT",), repo=30)
P("lazygit", "lazygit", "0.55.0", "Simple terminal UI for git commands", programs=["lazygit"], main="lazygit", homepage=["https://github.com/jesseduffield/lazygit"], licenses=("MIT",), repo=32)
P("tig", "tig", "2.5.12", "Text-mode interface for git", programs=["tig"], main="tig", homepage=["https://jonas.github.io/tig/"], licenses=("GPL-2.0-or-later",), repo=70)
P("git-absorb", "git-absorb", "0.8.0", "git commit --fixup, but automatic", programs=["git-absorb"], main="git-absorb", homepage=["https://github.com/tummychow/git-absorb"], licenses=("BSD-3-Clause",), repo=18)
P("git-extras", "git-extras", "7.4.0", "GIT utilities -- repo summary, repl, changelog population, author commit percentages and more", programs=["git-alias", "git-archive-file", "git-browse", "git-changelog", "git-summary", "git-effort", "git-ignore", "git-info", "git-undo"], homepage=["https://github.com/tj/git-extras"], licenses=("MIT",), repo=45)
P("gh", "gh", "2.79.0", "GitHub CLI tool", programs=["gh"], main="gh", homepage=["https://cli.github.com/"], licenses=("MIT",), dep=5, repo=60)
P("gitoxide", "gitoxide", "0.46.0", "Command-line application for interacting with git repositories", programs=["gix", "ein"], main="gix", homepage=["https://github.com/Byron/gitoxide"], licenses=("MIT", "Apache-2.0"), repo=12)
P("git-filter-repo", "git-filter-repo", "2.47.0", "Quickly rewrite git repository history", programs=["git-filter-repo"], main="git-filter-repo", homepage=["https://github.com/newren/git-filter-repo"], licenses=("MIT",), repo=40)
P("git-annex", "git-annex", "10.20250828", "Manage files with git, without checking their contents into git", programs=["git-annex", "git-annex-shell", "git-remote-annex", "git-remote-tor-annex"], main="git-annex", homepage=["https://git-annex.branchable.com/"], licenses=("AGPL-3.0-or-later",), dep=3, repo=35, platforms=X64D, teams=("Haskell",))
P("haskellPackages.git-annex", "git-annex", "10.20250828", "manage files with git, without checking their contents into git", licenses=("AGPL-3.0-or-later",), platforms=X64D, teams=("Haskell",), m=5)
P("gitea", "gitea", "1.24.6", "Git with a cup of tea", programs=["gitea"], main="gitea", homepage=["https://about.gitea.com"], licenses=("MIT",), repo=40, services=["gitea"])
P("forgejo", "forgejo", "12.0.4", "Self-hosted lightweight software forge", programs=["forgejo", "gitea"], main="forgejo", homepage=["https://forgejo.org"], licenses=("GPL-3.0-or-later",), repo=12)
P("libgit2", "libgit2", "1.9.1", "Linkable library implementation of Git that you can use in your application", homepage=["https://libgit2.org/"], licenses=("GPL-2.0-only",), dep=150, repo=80)
P("python313Packages.gitpython", "gitpython", "3.1.45", "Python Git Library", homepage=["https://github.com/gitpython-developers/GitPython"], licenses=("BSD-3-Clause",), teams=("Python",), m=2)
P("python312Packages.gitpython", "gitpython", "3.1.45", "Python Git Library", homepage=["https://github.com/gitpython-developers/GitPython"], licenses=("BSD-3-Clause",), teams=("Python",), m=2)
P("python313Packages.pygit2", "pygit2", "1.18.2", "Set of Python bindings to the libgit2 shared library", homepage=["https://github.com/libgit2/pygit2"], licenses=("GPL-2.0-only",), m=1)
P("vimPlugins.vim-fugitive", "vim-fugitive", "2025-08-20", "A Git wrapper so awesome, it should be illegal", homepage=["https://github.com/tpope/vim-fugitive/"], licenses=("Vim",), m=6)
P("vimPlugins.gitsigns-nvim", "gitsigns.nvim", "2025-09-01", "Git integration for buffers", homepage=["https://github.com/lewis6991/gitsigns.nvim/"], licenses=("MIT",), m=6)
P("git-cliff", "git-cliff", "2.10.0", "Highly customizable Changelog Generator that follows Conventional Commit specifications", programs=["git-cliff"], main="git-cliff", homepage=["https://github.com/orhun/git-cliff"], licenses=("GPL-3.0-only",), repo=14)

# ---- editors -----------------------------------------------------------------------------------------------
VIMH = ["https://www.vim.org"]
P("vim", "vim", "9.1.1683", "Most popular clone of the VI editor", programs=["vim", "vimdiff", "view", "ex", "rview", "rvim", "vimtutor", "xxd"], main="vim", homepage=VIMH, licenses=("Vim",), dep=60, repo=110, outputs=("out", "xxd"), teams=("Neovim",))
P("vim-full", "vim-full", "9.1.1683", "Most popular clone of the VI editor", programs=["vim", "gvim", "gview", "vimdiff", "gvimdiff", "view", "ex", "vimtutor", "xxd"], main="vim", homepage=VIMH, licenses=("Vim",), dep=4, repo=40, teams=("Neovim",))
P("neovim", "neovim", "0.11.4", "Vim text editor fork focused on extensibility and agility", programs=["nvim"], main="nvim", homepage=["https://www.neovim.io"], licenses=("Apache-2.0", "Vim"), dep=20, repo=85, teams=("Neovim",), long="<rendered-html><p>Neovim is a project that seeks to aggressively refactor Vim in order to: - Simplify maintenance and encourage contributions - Split the work between multiple developers - Enable the implementation of new/modern user interfaces without any modifications to the core source - Improve extensibility with a new plugin architecture</p>\n</rendered-html>")
P("neovim-unwrapped", "neovim-unwrapped", "0.11.4", "Vim text editor fork focused on extensibility and agility", programs=["nvim"], main="nvim", homepage=["https://www.neovim.io"], licenses=("Apache-2.0", "Vim"), dep=45, teams=("Neovim",))
P("neovim-qt", "neovim-qt", "0.2.19", "Neovim client library and GUI, in Qt5", programs=["nvim-qt"], main="nvim-qt", homepage=["https://github.com/equalsraf/neovim-qt"], licenses=("ISC",), repo=20)
P("neovide", "neovide", "0.15.1", "Simple, no-nonsense, cross-platform GUI for neovim", programs=["neovide"], main="neovide", homepage=["https://neovide.dev/"], licenses=("MIT",), repo=15)
P("vimPlugins.nvim-lspconfig", "nvim-lspconfig", "2025-09-02", "Quickstart configs for Nvim LSP", homepage=["https://github.com/neovim/nvim-lspconfig/"], licenses=("Apache-2.0",), m=6)
P("vimPlugins.telescope-nvim", "telescope.nvim", "2025-08-15", "Find, Filter, Preview, Pick. All lua, all the time.", homepage=["https://github.com/nvim-telescope/telescope.nvim/"], licenses=("MIT",), m=6)
P("vimPlugins.nvim-treesitter", "nvim-treesitter", "2025-09-03", "Nvim Treesitter configurations and abstraction layer", homepage=["https://github.com/nvim-treesitter/nvim-treesitter/"], licenses=("Apache-2.0",), m=6)
P("vimPlugins.vim-nix", "vim-nix", "2024-05-25", "Vim configuration files for Nix", homepage=["https://github.com/LnL7/vim-nix/"], licenses=("MIT",), m=6)
P("vimPlugins.vim-surround", "vim-surround", "2022-10-25", "Delete/change/add parentheses/quotes/XML-tags/much more with ease", homepage=["https://github.com/tpope/vim-surround/"], licenses=("Vim",), m=6)
P("emacs", "emacs", "30.2", "Extensible, customizable GNU text editor", programs=["emacs", "emacsclient", "etags", "ebrowse"], main="emacs", homepage=["https://www.gnu.org/software/emacs/"], licenses=("GPL-3.0-or-later",), dep=30, repo=100)
P("helix", "helix", "25.07.1", "Post-modern modal text editor", programs=["hx"], main="hx", homepage=["https://helix-editor.com"], licenses=("MPL-2.0",), repo=30)
P("kakoune", "kakoune", "2025.06.03", "Vim inspired text editor", programs=["kak"], main="kak", homepage=["http://kakoune.org/"], licenses=("Unlicense",), repo=35)
P("nano", "nano", "8.6", "Small, user-friendly console text editor", programs=["nano", "rnano"], main="nano", homepage=["https://www.nano-editor.org/"], licenses=("GPL-3.0-or-later",), dep=5, repo=100)
P("vscode", "vscode", "1.104.0", "Code editor developed by Microsoft", programs=["code"], main="code", homepage=["https://code.visualstudio.com/"], licenses=("unfree",), dep=3, repo=18, platforms=X64D)
P("vscodium", "vscodium", "1.104.06114", "Open source source code editor developed by Microsoft for Windows, Linux and macOS (VS Code without MS branding/telemetry/licensing)", programs=["codium"], main="codium", homepage=["https://github.com/VSCodium/vscodium"], licenses=("MIT",), repo=15, platforms=X64D)

# ---- languages ----------------------------------------------------------------------------------------
NODEH = ["https://nodejs.org"]
for attr, ver, dep, repo in [("nodejs", "22.19.0", 900, 95), ("nodejs_20", "20.19.5", 40, None), ("nodejs_22", "22.19.0", 60, None), ("nodejs_24", "24.8.0", 8, None)]:
    P(attr, "nodejs", ver, "Event-driven I/O framework for the V8 JavaScript engine", programs=["node", "npm", "npx", "corepack"], main="node", homepage=NODEH, licenses=("MIT",), dep=dep, repo=repo, outputs=("out", "libv8"), teams=("Node.js",), position=f"pkgs/development/web/nodejs/v{ver.split('.')[0]}.nix:30")
for attr, ver in [("nodejs-slim", "22.19.0"), ("nodejs-slim_20", "20.19.5"), ("nodejs-slim_22", "22.19.0")]:
    P(attr, "nodejs-slim", ver, "Event-driven I/O framework for the V8 JavaScript engine", programs=["node"], main="node", homepage=NODEH, licenses=("MIT",), dep=150, teams=("Node.js",))
P("typescript", "typescript", "5.9.2", "Superset of JavaScript that compiles to clean JavaScript output", programs=["tsc", "tsserver"], main="tsc", homepage=["https://www.typescriptlang.org/"], licenses=("Apache-2.0",), dep=20, repo=40)
P("yarn", "yarn", "1.22.22", "Fast, reliable, and secure dependency management for javascript", programs=["yarn", "yarnpkg"], main="yarn", homepage=["https://classic.yarnpkg.com/"], licenses=("BSD-2-Clause",), dep=80, repo=60)
P("pnpm", "pnpm", "10.15.1", "Fast, disk space efficient package manager for JavaScript", programs=["pnpm", "pnpx"], main="pnpm", homepage=["https://pnpm.io/"], licenses=("MIT",), dep=30, repo=25)
P("bun", "bun", "1.2.21", "Incredibly fast JavaScript runtime, bundler, transpiler and package manager", programs=["bun", "bunx"], main="bun", homepage=["https://bun.sh"], licenses=("MIT",), repo=15, platforms=X64D)
P("deno", "deno", "2.5.0", "Secure runtime for JavaScript and TypeScript", programs=["deno"], main="deno", homepage=["https://deno.land/"], licenses=("MIT",), dep=4, repo=30)
P("nodePackages.prettier", "prettier", "3.6.2", "Prettier is an opinionated code formatter", homepage=["https://prettier.io"], licenses=("MIT",), m=7)
P("nodePackages.typescript-language-server", "typescript-language-server", "4.4.0", "Language Server Protocol (LSP) implementation for TypeScript using tsserver", licenses=("Apache-2.0",), m=7)

PYH = ["https://www.python.org"]
for attr, ver, dep, repo in [("python3", "3.13.7", 2600, 110), ("python312", "3.12.11", 40, None), ("python313", "3.13.7", 60, None), ("python314", "3.14.0rc2", 3, None)]:
    mm = ".".join(ver.split(".")[:2])
    P(attr, "python3", ver, "High-level dynamically-typed programming language", programs=["python3", "python", f"python{mm}", "pydoc", "pydoc3", "idle", "idle3", "2to3"], main="python3", homepage=PYH, licenses=("PSF-2.0",), dep=dep, repo=repo, teams=("Python",), position="pkgs/development/interpreters/python/cpython/default.nix:750")
P("python3Minimal", "python3-minimal", "3.13.7", "High-level dynamically-typed programming language", programs=["python3", "python3.13"], main="python3", homepage=PYH, licenses=("PSF-2.0",), dep=120, teams=("Python",))
P("pypy3", "pypy3", "7.3.19", "Fast, compliant alternative implementation of the Python language (3.11)", programs=["pypy3", "python", "python3"], main="pypy3", homepage=["https://www.pypy.org/"], licenses=("MIT",), repo=20, teams=("Python",))
PYPKGS = [
    ("requests", "2.32.5", "HTTP library for Python", "https://requests.readthedocs.io", "Apache-2.0", None),
    ("numpy", "2.3.2", "Scientific tools for Python", "https://numpy.org/", "BSD-3-Clause", ["f2py", "numpy-config"]),
    ("pandas", "2.3.2", "Powerful data structures for data analysis, time series, and statistics", "https://pandas.pydata.org", "BSD-3-Clause", None),
    ("flask", "3.1.2", "Python micro framework for building web applications", "https://flask.palletsprojects.com/", "BSD-3-Clause", ["flask"]),
    ("django", "5.2.6", "High-level Python Web framework that encourages rapid development and clean, pragmatic design", "https://www.djangoproject.com", "BSD-3-Clause", ["django-admin"]),
    ("pip", "25.2", "PyPA recommended tool for installing Python packages", "https://pip.pypa.io/", "MIT", ["pip", "pip3", "pip3.13"]),
    ("setuptools", "80.9.0", "Utilities to facilitate the installation of Python packages", "https://github.com/pypa/setuptools", "MIT", None),
    ("pytest", "8.4.2", "Framework for writing tests", "https://docs.pytest.org", "MIT", ["pytest", "py.test"]),
    ("black", "25.1.0", "Uncompromising Python code formatter", "https://github.com/psf/black", "MIT", ["black", "blackd"]),
    ("httpx", "0.28.1", "Next generation HTTP client", "https://github.com/encode/httpx", "BSD-3-Clause", ["httpx"]),
    ("aiohttp", "3.12.15", "Asynchronous HTTP Client/Server for Python and asyncio", "https://github.com/aio-libs/aiohttp", "Apache-2.0", None),
    ("pyyaml", "6.0.2", "Next generation YAML parser and emitter for Python", "https://github.com/yaml/pyyaml", "MIT", None),
    ("rich", "14.1.0", "Render rich text, tables, progress bars, syntax highlighting, markdown and more to the terminal", "https://github.com/Textualize/rich", "MIT", None),
    ("click", "8.2.1", "Create beautiful command line interfaces in Python", "https://github.com/pallets/click/", "BSD-3-Clause", None),
    ("jinja2", "3.1.6", "Very fast and expressive template engine", "https://jinja.palletsprojects.com/", "BSD-3-Clause", None),
    ("matplotlib", "3.10.6", "Python plotting package", "https://matplotlib.org/", "PSF-2.0", None),
    ("scipy", "1.16.1", "SciPy (pronounced 'Sigh Pie') is open-source software for mathematics, science, and engineering", "https://www.scipy.org/", "BSD-3-Clause", None),
    ("torch", "2.8.0", "PyTorch: Tensors and Dynamic neural networks in Python with strong GPU acceleration", "https://pytorch.org/", "BSD-3-Clause", ["torchrun"]),
    ("beautifulsoup4", "4.13.5", "HTML and XML parser", "http://crummy.com/software/BeautifulSoup/bs4/", "MIT", None),
    ("pillow", "11.3.0", "Friendly PIL fork (Python Imaging Library)", "https://python-pillow.github.io/", "MIT", None),
    ("cryptography", "45.0.7", "Package which provides cryptographic recipes and primitives", "https://github.com/pyca/cryptography", "Apache-2.0", None),
    ("sqlalchemy", "2.0.43", "Python SQL toolkit and Object Relational Mapper", "http://www.sqlalchemy.org/", "MIT", None),
    ("fastapi", "0.116.1", "Web framework for building APIs", "https://github.com/fastapi/fastapi", "MIT", ["fastapi"]),
    ("uvicorn", "0.35.0", "Lightning-fast ASGI server", "https://www.uvicorn.org/", "BSD-3-Clause", ["uvicorn"]),
    ("pydantic", "2.11.7", "Data validation and settings management using Python type hinting", "https://github.com/pydantic/pydantic", "MIT", None),
    ("ipython", "9.5.0", "IPython: Productive Interactive Computing", "https://ipython.org/", "BSD-3-Clause", ["ipython", "ipython3"]),
    ("firefox-profile-tools", "0.4.1", "Create and edit Firefox profiles from Python", "https://example.invalid/firefox-profile-tools", "MIT", None),
    ("python-nginx", "1.5.7", "Create and modify nginx serverblock configs in Python", "https://github.com/peakwinter/python-nginx", "GPL-3.0-only", None),
]
for i, (name, ver, desc, home, lic, _progs) in enumerate(PYPKGS):
    for s in ("python313Packages", "python312Packages"):
        if s == "python312Packages" and i % 3 == 2:
            continue
        P(f"{s}.{name}", name, ver, desc, homepage=[home], licenses=(lic,), teams=("Python",) if i % 4 == 0 else (), m=i,
          repo=(60 - i) if (s == "python313Packages" and i < 12) else None)
P("ruff", "ruff", "0.12.12", "Extremely fast Python linter and code formatter", programs=["ruff"], main="ruff", homepage=["https://github.com/astral-sh/ruff"], licenses=("MIT",), dep=12, repo=30)
P("uv", "uv", "0.8.15", "Extremely fast Python package installer and resolver, written in Rust", programs=["uv", "uvx"], main="uv", homepage=["https://github.com/astral-sh/uv"], licenses=("Apache-2.0", "MIT"), dep=5, repo=25)
P("poetry", "poetry", "2.1.4", "Python dependency management and packaging made easy", programs=["poetry"], main="poetry", homepage=["https://python-poetry.org/"], licenses=("MIT",), repo=40)

for attr, pname, ver, desc, progs, main, home, lic, dep, repo in [
    ("go", "go", "1.25.1", "Go Programming language", ["go", "gofmt"], "go", "https://go.dev/", "BSD-3-Clause", 1600, 100),
    ("rustc", "rustc", "1.89.0", "Safe, concurrent, practical language (wrapper script)", ["rustc", "rustdoc", "rust-gdb", "rust-lldb"], "rustc", "https://www.rust-lang.org/", "MIT", 2400, 90),
    ("cargo", "cargo", "1.89.0", "Downloads your Rust project's dependencies and builds your project", ["cargo"], "cargo", "https://doc.rust-lang.org/cargo", "MIT", 1800, 80),
    ("rustup", "rustup", "1.28.2", "Rust toolchain installer", ["rustup", "rustc", "cargo", "rustfmt", "clippy-driver"], "rustup", "https://www.rustup.rs/", "MIT", 2, 40),
    ("gcc", "gcc-wrapper", "14.3.0", "GNU Compiler Collection, version 14.3.0 (wrapper script)", ["gcc", "g++", "cc", "c++", "cpp"], "gcc", "https://gcc.gnu.org/", "GPL-3.0-or-later", 300, 110),
    ("clang", "clang-wrapper", "19.1.7", "C language family frontend for LLVM (wrapper script)", ["clang", "clang++", "cc", "c++"], "clang", "https://clang.llvm.org/", "Apache-2.0", 200, 100),
    ("cmake", "cmake", "3.31.7", "Cross-platform, open-source build system generator", ["cmake", "ctest", "cpack"], "cmake", "https://cmake.org/", "BSD-3-Clause", 8200, 105),
    ("gnumake", "gnumake", "4.4.1", "Tool to control the generation of non-source files from sources", ["make"], "make", "https://www.gnu.org/software/make/", "GPL-3.0-or-later", 400, 110),
    ("nix", "nix", "2.31.1", "Powerful package manager that makes package management reliable and reproducible", ["nix", "nix-build", "nix-shell", "nix-env", "nix-store", "nix-instantiate", "nix-collect-garbage", "nix-channel", "nix-daemon", "nix-hash", "nix-prefetch-url", "nix-copy-closure"], "nix", "https://nixos.org/", "LGPL-2.1-or-later", 210, 30),
    ("nixfmt-rfc-style", "nixfmt", "1.0.1", "Official formatter for Nix code", ["nixfmt"], "nixfmt", "https://github.com/NixOS/nixfmt", "MPL-2.0", 30, 4),
    ("nixpkgs-fmt", "nixpkgs-fmt", "1.3.0", "Nix code formatter for nixpkgs", ["nixpkgs-fmt"], "nixpkgs-fmt", "https://nix-community.github.io/nixpkgs-fmt", "Apache-2.0", 5, 6),
    ("nil", "nil", "2025-06-13", "Yet another language server for Nix", ["nil"], "nil", "https://github.com/oxalica/nil", "Apache-2.0", 2, 5),
    ("nixd", "nixd", "2.6.4", "Feature-rich Nix language server interoperating with C++ nix", ["nixd", "nixd-attrset-eval", "nixd-nixpkgs-provider"], "nixd", "https://github.com/nix-community/nixd", "LGPL-2.1-or-later", 1, 4),
    ("home-manager", "home-manager", "0-unstable-2025-09-05", "Nix-based user environment configurator", ["home-manager"], "home-manager", "https://nix-community.github.io/home-manager/", "MIT", 1, 3),
    ("nix-output-monitor", "nix-output-monitor", "2.1.6", "Processes output of Nix commands to show helpful and pretty information", ["nom", "nom-build", "nom-shell"], "nom", "https://code.maralorn.de/maralorn/nix-output-monitor", "AGPL-3.0-or-later", 1, 4),
    ("nh", "nh", "4.2.0", "Yet another nix cli helper", ["nh"], "nh", "https://github.com/nix-community/nh", "Zlib", None, 3),
    ("direnv", "direnv", "2.37.1", "Shell extension that manages your environment", ["direnv"], "direnv", "https://direnv.net", "MIT", 6, 45),
    ("nix-direnv", "nix-direnv", "3.1.0", "Fast, persistent use_nix implementation for direnv", [], None, "https://github.com/nix-community/nix-direnv", "MIT", None, 5),
    ("cachix", "cachix", "1.9.1", "Command-line client for Nix binary cache hosting https://cachix.org", ["cachix"], "cachix", "https://github.com/cachix/cachix", "Apache-2.0", 2, 3),
    ("nginx", "nginx", "1.28.0", "Reverse proxy and lightweight webserver", ["nginx"], "nginx", "https://nginx.org", "BSD-2-Clause", 12, 100),
    ("nginxMainline", "nginx", "1.29.1", "Reverse proxy and lightweight webserver", ["nginx"], "nginx", "https://nginx.org", "BSD-2-Clause", 3, None),
    ("nginxQuic", "nginxQuic", "1.29.1", "Reverse proxy and lightweight webserver", ["nginx"], "nginx", "https://nginx.org", "BSD-2-Clause", 1, None),
    ("nginx-language-server", "nginx-language-server", "0.9.0", "Language server for nginx.conf", ["nginx-language-server"], "nginx-language-server", "https://github.com/pappasam/nginx-language-server", "GPL-3.0-only", None, 2),
    ("caddy", "caddy", "2.10.2", "Fast and extensible multi-platform HTTP/1-2-3 web server with automatic HTTPS", ["caddy"], "caddy", "https://caddyserver.com", "Apache-2.0", 2, 30),
    ("apacheHttpd", "apache-httpd", "2.4.65", "Apache HTTPD, the world's most popular web server", ["httpd", "apachectl", "htpasswd", "ab"], "httpd", "https://httpd.apache.org/", "Apache-2.0", 20, 90),
    ("postgresql", "postgresql", "17.6", "Powerful, open source object-relational database system", ["psql", "postgres", "pg_dump", "pg_restore", "initdb", "pg_ctl", "createdb"], "psql", "https://www.postgresql.org", "PostgreSQL", 300, 100),
    ("postgresql_16", "postgresql", "16.10", "Powerful, open source object-relational database system", ["psql", "postgres", "pg_dump", "pg_restore", "initdb", "pg_ctl", "createdb"], "psql", "https://www.postgresql.org", "PostgreSQL", 10, None),
    ("redis", "redis", "8.2.1", "Open source, advanced key-value store", ["redis-server", "redis-cli", "redis-benchmark"], "redis-cli", "https://redis.io", "AGPL-3.0-or-later", 40, 90),
    ("docker", "docker", "28.4.0", "Open source project to pack, ship and run any application as a lightweight container", ["docker", "dockerd", "containerd", "runc"], "docker", "https://www.docker.com/", "Apache-2.0", 20, 60),
    ("podman", "podman", "5.6.1", "Program for managing pods, containers and container images", ["podman", "podman-remote"], "podman", "https://podman.io/", "Apache-2.0", 5, 50),
    ("kubectl", "kubectl", "1.34.0", "Kubernetes CLI", ["kubectl", "kubectl-convert"], "kubectl", "https://github.com/kubernetes/kubectl", "Apache-2.0", 30, 40),
    ("kubernetes-helm", "kubernetes-helm", "3.18.6", "Package manager for kubernetes", ["helm"], "helm", "https://github.com/kubernetes/helm", "Apache-2.0", 8, 30),
    ("terraform", "terraform", "1.13.1", "Tool for building, changing, and versioning infrastructure", ["terraform"], "terraform", "https://www.terraform.io/", "unfree", 4, 30),
    ("opentofu", "opentofu", "1.10.6", "Tool for building, changing, and versioning infrastructure", ["tofu"], "tofu", "https://opentofu.org/", "MPL-2.0", 2, 15),
    ("ffmpeg", "ffmpeg", "7.1.1", "Complete, cross-platform solution to record, convert and stream audio and video", ["ffmpeg", "ffprobe", "ffplay"], "ffmpeg", "https://www.ffmpeg.org/", "LGPL-2.1-or-later", 700, 110),
    ("imagemagick", "imagemagick", "7.1.2-3", "Software suite to create, edit, compose, or convert bitmap images", ["magick", "convert", "identify", "mogrify", "composite", "montage"], "magick", "http://www.imagemagick.org/", "Apache-2.0", 250, 100),
    ("openssl", "openssl", "3.5.2", "Cryptographic library that implements the SSL and TLS protocols", ["openssl", "c_rehash"], "openssl", "https://www.openssl.org/", "Apache-2.0", 6000, 110),
    ("gnupg", "gnupg", "2.4.8", "Modern release of the GNU Privacy Guard, a GPL OpenPGP implementation", ["gpg", "gpg-agent", "gpgconf", "gpgsm", "gpgv", "gpg-connect-agent"], "gpg", "https://gnupg.org", "GPL-3.0-or-later", 140, 100),
    ("keepassxc", "keepassxc", "2.7.10", "Offline password manager with many features", ["keepassxc", "keepassxc-cli", "keepassxc-proxy"], "keepassxc", "https://keepassxc.org/", "GPL-2.0-only", 2, 60),
    ("alacritty", "alacritty", "0.15.1", "Cross-platform, GPU-accelerated terminal emulator", ["alacritty"], "alacritty", "https://github.com/alacritty/alacritty", "Apache-2.0", 3, 40),
    ("kitty", "kitty", "0.42.2", "Modern, hackable, featureful, OpenGL based terminal emulator", ["kitty", "kitten"], "kitty", "https://github.com/kovidgoyal/kitty", "GPL-3.0-only", 5, 40),
    ("wezterm", "wezterm", "0-unstable-2025-08-14", "GPU-accelerated cross-platform terminal emulator and multiplexer written by @wez and implemented in Rust", ["wezterm", "wezterm-gui", "wezterm-mux-server"], "wezterm", "https://wezfurlong.org/wezterm", "MIT", 1, 25),
    ("zsh", "zsh", "5.9", "Z shell", ["zsh"], "zsh", "https://www.zsh.org/", "MIT", 40, 100),
    ("fish", "fish", "4.0.6", "Smart and user-friendly command line shell", ["fish", "fish_indent", "fish_key_reader"], "fish", "https://fishshell.com/", "GPL-2.0-only", 10, 70),
    ("bash", "bash", "5.3p3", "GNU Bourne-Again Shell, the de facto standard shell on Linux", ["bash", "sh"], "bash", "https://www.gnu.org/software/bash/", "GPL-3.0-or-later", 5000, 110),
    ("nushell", "nushell", "0.107.0", "Modern shell written in Rust", ["nu"], "nu", "https://www.nushell.sh/", "MIT", 3, 30),
    ("starship", "starship", "1.23.0", "Minimal, blazing fast, and extremely customizable prompt for any shell", ["starship"], "starship", "https://starship.rs", "ISC", 2, 30),
    ("rsync", "rsync", "3.4.1", "Fast incremental file transfer utility", ["rsync", "rsync-ssl"], "rsync", "https://rsync.samba.org/", "GPL-3.0-or-later", 100, 110),
    ("rclone", "rclone", "1.71.0", "Command line program to sync files and directories to and from major cloud storage", ["rclone"], "rclone", "https://rclone.org", "MIT", 6, 50),
    ("syncthing", "syncthing", "2.0.8", "Open Source Continuous File Synchronization", ["syncthing"], "syncthing", "https://syncthing.net/", "MPL-2.0", 2, 60),
    ("tailscale", "tailscale", "1.86.5", "Node agent for Tailscale, a mesh VPN built on WireGuard", ["tailscale", "tailscaled"], "tailscale", "https://tailscale.com", "BSD-3-Clause", 3, 20),
    ("wireguard-tools", "wireguard-tools", "1.0.20250521", "Tools for the WireGuard secure network tunnel", ["wg", "wg-quick"], "wg", "https://www.wireguard.com/", "GPL-2.0-only", 15, 50),
    ("iproute2", "iproute2", "6.16.0", "Collection of utilities for controlling TCP/IP networking and traffic control in Linux", ["ip", "ss", "tc", "bridge", "rtmon"], "ip", "https://wiki.linuxfoundation.org/networking/iproute2", "GPL-2.0-only", 300, 80),
    ("nmap", "nmap", "7.98", "Free and open source utility for network discovery and security auditing", ["nmap", "ncat", "nping"], "nmap", "http://www.nmap.org", "GPL-2.0-only", 8, 90),
    ("wireshark", "wireshark-qt", "4.4.9", "Powerful network protocol analyzer", ["wireshark", "tshark", "dumpcap", "editcap", "mergecap"], "wireshark", "https://www.wireshark.org", "GPL-2.0-or-later", 3, 80),
    ("sqlite", "sqlite", "3.50.4", "Self-contained, serverless, zero-configuration, transactional SQL database engine", ["sqlite3"], "sqlite3", "https://www.sqlite.org/", "Unlicense", 3000, 110),
    ("jdk", "openjdk", "21.0.8+9", "Open-source Java Development Kit", ["java", "javac", "jar", "jshell", "keytool"], "java", "https://openjdk.org/", "GPL-2.0-only", 400, 60),
    ("maven", "maven", "3.9.11", "Build automation tool (used primarily for Java projects)", ["mvn", "mvnDebug"], "mvn", "https://maven.apache.org/", "Apache-2.0", 120, 60),
    ("php", "php-with-extensions", "8.4.12", "HTML-embedded scripting language", ["php", "php-fpm", "phpize", "php-config"], "php", "https://www.php.net/", "PostgreSQL", 50, 100),
    ("ruby", "ruby", "3.4.5", "Object-oriented language for quick and easy programming", ["ruby", "irb", "gem", "erb", "bundle"], "ruby", "https://www.ruby-lang.org/en/", "BSD-2-Clause", 300, 100),
    ("perl", "perl", "5.40.0", "Standard implementation of the Perl 5 programming language", ["perl", "cpan", "perldoc", "prove"], "perl", "https://www.perl.org/", "Artistic-1.0", 4000, 110),
    ("lua", "lua", "5.2.4", "Powerful, fast, lightweight, embeddable scripting language", ["lua", "luac"], "lua", "https://www.lua.org", "MIT", 300, 100),
    ("zig", "zig", "0.15.1", "General-purpose programming language and toolchain for maintaining robust, optimal, and reusable software", ["zig"], "zig", "https://ziglang.org/", "MIT", 20, 30),
    ("ghc", "ghc", "9.8.4", "Glasgow Haskell Compiler", ["ghc", "ghci", "runghc", "ghc-pkg", "haddock"], "ghc", "http://haskell.org/ghc", "BSD-3-Clause", 400, 60),
    ("pandoc", "pandoc-cli", "3.7.0.2", "Conversion between documentation formats", ["pandoc"], "pandoc", "https://pandoc.org", "GPL-2.0-or-later", 150, 70),
    ("hugo", "hugo", "0.149.1", "Fast and modern static website engine", ["hugo"], "hugo", "https://gohugo.io", "Apache-2.0", 5, 40),
    ("httpie", "httpie", "3.2.4", "Command line HTTP client whose goal is to make CLI human-friendly", ["http", "https", "httpie"], "http", "https://httpie.io/", "BSD-3-Clause", 4, 50),
    ("xh", "xh", "0.24.1", "Friendly and fast tool for sending HTTP requests", ["xh", "xhs"], "xh", "https://github.com/ducaale/xh", "MIT", 1, 20),
    ("tree", "tree", "2.2.1", "Command to produce a depth indented directory listing", ["tree"], "tree", "https://oldmanprogrammer.net/source.php?dir=projects/tree", "GPL-2.0-only", 20, 100),
    ("unzip", "unzip", "6.0", "Extraction utility for archives compressed in .zip format", ["unzip", "funzip", "unzipsfx", "zipinfo"], "unzip", "https://infozip.sourceforge.net/", "BSD-1-Clause", 2500, 100),
    ("p7zip", "p7zip", "17.06", "New p7zip fork with additional codecs and improvements (forked from https://sourceforge.net/projects/p7zip/)", ["7z", "7za", "7zr"], "7z", "https://github.com/p7zip-project/p7zip", "LGPL-2.1-or-later", 30, 60),
    ("steam", "steam", "1.0.0.85", "Steam is a digital distribution platform", ["steam"], "steam", "https://store.steampowered.com/", "unfreeRedistributable", 2, 40),
    ("discord", "discord", "0.0.109", "All-in-one cross-platform voice and text chat for gamers", ["discord", "Discord"], "discord", "https://discordapp.com/", "unfree", 1, 20),
    ("vlc", "vlc", "3.0.21", "Cross-platform media player and streaming server", ["vlc", "cvlc", "nvlc"], "vlc", "https://www.videolan.org/vlc/", "LGPL-2.1-or-later", 5, 90),
    ("mpv", "mpv", "0.40.0", "General-purpose media player, fork of MPlayer and mplayer2", ["mpv", "umpv"], "mpv", "https://mpv.io", "GPL-2.0-or-later", 30, 70),
    ("obs-studio", "obs-studio", "31.1.2", "Free and open source software for video recording and live streaming", ["obs", "obs-ffmpeg-mux"], "obs", "https://obsproject.com", "GPL-2.0-or-later", 20, 45),
    ("gimp", "gimp", "3.0.4", "GNU Image Manipulation Program", ["gimp", "gimp-3.0", "gimp-console"], "gimp", "https://www.gimp.org/", "GPL-3.0-or-later", 20, 90),
    ("libreoffice", "libreoffice", "25.2.5.2", "Comprehensive, professional-quality productivity suite, a variant of openoffice.org", ["libreoffice", "soffice", "lowriter", "localc"], "libreoffice", "https://libreoffice.org/", "LGPL-2.1-or-later", 6, 70),
    ("signal-desktop", "signal-desktop", "7.70.0", "Private, simple, and secure messenger", ["signal-desktop"], "signal-desktop", "https://signal.org/", "AGPL-3.0-or-later", 1, 20),
    ("element-desktop", "element-desktop", "1.11.111", "Feature-rich client for Matrix.org", ["element-desktop"], "element-desktop", "https://element.io/", "AGPL-3.0-or-later", 1, 15),
    ("fastfetch", "fastfetch", "2.52.0", "Like neofetch, but much faster because written in C", ["fastfetch", "flashfetch"], "fastfetch", "https://github.com/fastfetch-cli/fastfetch", "MIT", 2, 30),
    ("neofetch", "neofetch", "7.1.0", "Fast, highly customizable system info script", ["neofetch"], "neofetch", "https://github.com/dylanaraps/neofetch", "MIT", 1, 60),
]:
    P(attr, pname, ver, desc, programs=progs, main=main, homepage=[home], licenses=(lic,), dep=dep, repo=repo,
      platforms=LINUX if attr in ("steam", "docker", "podman", "util-linux", "iproute2") else ALL, m=len(attr),
      **({"maintainers": MANY_MAINTAINERS, "teams": ("Nix",), "position": "pkgs/tools/package-management/nix/default.nix:180"} if attr == "nix" else {}))

P("haskellPackages.pandoc", "pandoc", "3.7.0.2", "Conversion between markup formats", licenses=("GPL-2.0-or-later",), teams=("Haskell",), m=5)
P("haskellPackages.aeson", "aeson", "2.2.3.0", "Fast JSON parsing and encoding", licenses=("BSD-3-Clause",), teams=("Haskell",), m=5)
P("haskellPackages.ShellCheck", "ShellCheck", "0.11.0", "Shell script analysis tool", licenses=("GPL-3.0-only",), teams=("Haskell",), m=5)
P("shellcheck", "ShellCheck", "0.11.0", "Shell script analysis tool", programs=["shellcheck"], main="shellcheck", homepage=["https://www.shellcheck.net/"], licenses=("GPL-3.0-only",), dep=60, repo=70)
P("perlPackages.Git", "perl5.40.0-Git", "0.42", "This is the Git.pm, plus the other files in the perl/Git directory, from github's git/git", licenses=("Artistic-1.0",), m=3)
P("perlPackages.LWP", "perl5.40.0-libwww-perl", "6.77", "The World-Wide Web library for Perl", licenses=("Artistic-1.0",), m=3)
P("postgresqlPackages.postgis", "postgis", "3.5.3", "Geographic Objects for PostgreSQL", licenses=("GPL-2.0-only",), teams=("PostgreSQL",), platforms=LINUX)
P("prometheus-nginx-exporter", "nginx_exporter", "1.4.2", "NGINX Prometheus Exporter for NGINX and NGINX Plus", programs=["nginx-prometheus-exporter"], main="nginx-prometheus-exporter", homepage=["https://github.com/nginxinc/nginx-prometheus-exporter"], licenses=("Apache-2.0",), repo=8)
P("nginx-sso", "nginx-sso", "0.27.4", "SSO authentication provider for the auth_request nginx module", programs=["nginx-sso"], main="nginx-sso", homepage=["https://github.com/Luzifer/nginx-sso"], licenses=("Apache-2.0",), repo=3)
P("nginxModules.brotli", "ngx_brotli", "1.0.0rc-unstable-2024-04-01", None, licenses=("BSD-2-Clause",))  # description null, as for many set members
P("café-noir", "café-noir", "0.1.0", "Naïve package with a non-ASCII name (for Unicode queries) — über crème brûlée", programs=["café"], main="café", licenses=("MIT",), repo=1)
P("mc", "mc", "4.8.33", "File Manager and User Shell for the GNU Project, known as Midnight Commander", programs=["mc", "mcedit", "mcview", "mcdiff"], main="mc", homepage=["https://midnight-commander.org"], licenses=("GPL-2.0-or-later",), dep=2, repo=90)
P("AND", "AND", "1.2.2", "Auto Nice Daemon (fictitious attribute named like a query operator)", programs=["and"], main="and", licenses=("GPL-2.0-only",))
P("qemu", "qemu", "10.1.0", "Generic and open source machine emulator and virtualizer", programs=["qemu-system-x86_64", "qemu-system-aarch64", "qemu-img", "qemu-io", "qemu-nbd", "qemu-kvm"], main="qemu-kvm", homepage=["https://www.qemu.org/"], licenses=("GPL-2.0-or-later",), dep=140, repo=100, platforms=LINUX)
P("Xaw3d", "Xaw3d", "1.6.6", "3D widget set based on the Athena Widget set", licenses=("MIT",), dep=5, repo=30)
P("SDL2", "SDL2", "2.32.8", "Cross-platform multimedia library", programs=["sdl2-config"], main="sdl2-config", homepage=["http://www.libsdl.org/"], licenses=("Zlib",), dep=700, repo=100)
P("OVMF", "OVMF", "202505", "Sample UEFI firmware for QEMU and KVM", homepage=["https://github.com/tianocore/tianocore.github.io/wiki/OVMF"], licenses=("BSD-2-Clause",), dep=10, repo=40, platforms=LINUX)
# only in unstable (CHANNEL_CHANGES drops it from 26.05): `!versions ghostty` says "not in 26.05"
P("ghostty", "ghostty", "1.2.0", "Fast, native, feature-rich terminal emulator pushing modern features", programs=["ghostty"], main="ghostty", homepage=["https://ghostty.org/"], licenses=("MIT",), repo=8, platforms=LINUX)
P("ImageMagick", "imagemagick", "7.1.2-3", "Software suite to create, edit, compose, or convert bitmap images", programs=["magick", "convert"], main="magick", homepage=["http://www.imagemagick.org/"], licenses=("Apache-2.0",), dep=2)

# ---- options ---------------------------------------------------------------------------------------------

def html(text):
    return f"<rendered-html><p>{text}</p>\n</rendered-html>"


OPTS = []


def O(kind, name, source, desc, otype, default, example=None):
    OPTS.append({
        "type": kind,
        "option_source": source,
        "option_name": name,
        "option_description": html(desc) if desc is not None else None,
        "option_type": otype,
        "option_default": default,
        "option_example": example,
        "option_flake": None,
    })


def enable(kind, name, source, what):
    O(kind, name, source, f"Whether to enable {what}.", "boolean", "false", "true")


NGX = "nixos/modules/services/web-servers/nginx/default.nix"
N = "option"
enable(N, "services.nginx.enable", NGX, "Nginx Web Server")  # also in the fixture; deduplicated below
for leaf, desc, t, d, ex in [
    ("package", "Nginx package to use. Nginx Web Server (nixpkgs/pkgs/servers/http/nginx) with basic modules is used by default. Set this to <code>pkgs.nginxMainline</code> to use the mainline branch.", "package", "pkgs.nginxStable", "pkgs.nginxMainline"),
    ("virtualHosts", "Declarative vhost config", "attribute set of (submodule)", "{ }", None),
    ("user", "User account under which nginx runs.", "string", "\"nginx\"", None),
    ("group", "Group account under which nginx runs.", "string", "\"nginx\"", None),
    ("recommendedProxySettings", "Whether to enable recommended proxy settings if a vhost does not specify the option manually.", "boolean", "false", "true"),
    ("recommendedTlsSettings", "Enable recommended TLS settings.", "boolean", "false", None),
    ("recommendedGzipSettings", "Enable recommended gzip settings. Learn more about compression in Gzip format here.", "boolean", "false", None),
    ("recommendedOptimisation", "Enable recommended optimisation settings.", "boolean", "false", None),
    ("appendHttpConfig", "Configuration lines to be appended to the generated http block. This is mutually exclusive with using config and httpConfig for specifying the whole http block verbatim.", "strings concatenated with \"\\n\"", "\"\"", None),
    ("commonHttpConfig", "With nginx you must provide common http context definitions before they are used, e.g. log_format, resolver, etc. inside of server or location contexts.", "strings concatenated with \"\\n\"", "\"\"", None),
    ("statusPage", "Enable status page reachable from localhost on http://127.0.0.1/nginx_status.", "boolean", "false", None),
    ("upstreams", "Defines a group of servers to use as proxy target.", "attribute set of (submodule)", "{ }", None),
    ("streamConfig", "Configuration lines to be set inside the stream block.", "strings concatenated with \"\\n\"", "\"\"", None),
    ("logError", "Configures logging. The first parameter defines a file that will store the log.", "string", "\"stderr\"", None),
    ("additionalModules", "Additional <a href=\"https://www.nginx.com/resources/wiki/modules/\">third-party nginx modules</a> to install.", "list of (attribute set)", "[ ]", "[ pkgs.nginxModules.echo ]"),
    ("virtualHosts.<name>.root", "The path of the web root directory.", "null or absolute path", "null", "\"/data/webserver/docs\""),
    ("virtualHosts.<name>.forceSSL", "Whether to add a separate nginx server block that redirects (defaults to 301, configurable with redirectCode) all plain HTTP traffic to HTTPS.", "boolean", "false", None),
    ("virtualHosts.<name>.enableACME", "Whether to ask Let's Encrypt to sign a certificate for this vhost.", "boolean", "false", None),
    ("virtualHosts.<name>.serverName", "Name of this virtual host. Defaults to attribute name in virtualHosts.", "null or string", "null", "\"example.org\""),
    ("virtualHosts.<name>.locations", "Declarative location config", "attribute set of (submodule)", "{ }", None),
    ("virtualHosts.<name>.locations.<name>.proxyPass", "Adds proxy_pass directive and sets recommended proxy headers if recommendedProxySettings is enabled.", "null or string", "null", "\"http://www.example.org/\""),
    ("virtualHosts.<name>.locations.<name>.proxyWebsockets", "Whether to support proxying websocket connections with HTTP/1.1.", "boolean", "false", "true"),
    ("virtualHosts.<name>.listen", "Listen addresses and ports for this virtual host.", "list of (submodule)", "[ ]", None),
]:
    O(N, f"services.nginx.{leaf}", NGX, desc, t, d, ex)
enable(N, "services.nginx.virtualHosts.<name>.http2", NGX, "HTTP/2 for this virtual host")
enable(N, "services.nginx.gitweb.enable", "nixos/modules/services/web-servers/nginx/gitweb.nix", "gitweb in nginx")
enable(N, "services.prometheus.exporters.nginx.enable", "nixos/modules/services/monitoring/prometheus/exporters.nix", "the prometheus nginx exporter")
# tor: the exporter's enable sorts before services.tor.enable, so an alphabetical tie-break would put it first
enable(N, "services.tor.enable", "nixos/modules/services/security/tor.nix", "Tor daemon. By default, the daemon is run without relay, exit, bridge or client connectivity")
enable(N, "services.prometheus.exporters.tor.enable", "nixos/modules/services/monitoring/prometheus/exporters.nix", "the prometheus tor exporter")
O(N, "services.prometheus.exporters.nginx.port", "nixos/modules/services/monitoring/prometheus/exporters.nix", "Port to listen on.", "16 bit unsigned integer; between 0 and 65535 (both inclusive)", "9113")
enable(N, "services.prometheus.exporters.nginxlog.enable", "nixos/modules/services/monitoring/prometheus/exporters.nix", "the prometheus nginxlog exporter")
enable(N, "services.nginx-sso.enable", "nixos/modules/services/security/nginx-sso.nix", "nginx-sso service")
enable(N, "services.phpfpm.pools.<name>.enable", "nixos/modules/services/web-servers/phpfpm/default.nix", "this PHP-FPM pool")
enable(N, "services.caddy.enable", "nixos/modules/services/web-servers/caddy/default.nix", "Caddy web server")
enable(N, "services.httpd.enable", "nixos/modules/services/web-servers/apache-httpd/default.nix", "the Apache HTTP Server")
SSH = "nixos/modules/services/networking/ssh/sshd.nix"
enable(N, "services.openssh.enable", SSH, "the OpenSSH secure shell daemon, which allows secure remote logins")
O(N, "services.openssh.ports", SSH, "Specifies on which ports the SSH daemon listens.", "list of 16 bit unsigned integer; between 0 and 65535 (both inclusive)", "[\n  22\n]")
O(N, "services.openssh.settings.PasswordAuthentication", SSH, "Specifies whether password authentication is allowed.", "boolean", "true")
O(N, "services.openssh.settings.PermitRootLogin", SSH, "Whether the root user can login using ssh.", "one of \"yes\", \"without-password\", \"prohibit-password\", \"forced-commands-only\", \"no\"", "\"prohibit-password\"")
O(N, "services.openssh.openFirewall", SSH, "Whether to automatically open the specified ports in the firewall.", "boolean", "true")
PG = "nixos/modules/services/databases/postgresql.nix"
enable(N, "services.postgresql.enable", PG, "PostgreSQL Server")
O(N, "services.postgresql.package", PG, "The postgresql package to use.", "package", None, "pkgs.postgresql_15")
O(N, "services.postgresql.ensureDatabases", PG, "Ensures that the specified databases exist.", "list of string", "[ ]", "[\n  \"gitea\"\n  \"nextcloud\"\n]")
GIT = "nixos/modules/programs/git.nix"
enable(N, "programs.git.enable", GIT, "git, a distributed version control system")
O(N, "programs.git.package", GIT, "The git package to use.", "package", "pkgs.git", "pkgs.gitFull")
O(N, "programs.git.config", GIT, "Configuration to write to /etc/gitconfig. A list can also be specified to keep the configuration in order.", "(attribute set of attribute set of anything) or list of attribute set of attribute set of anything", "[ ]")
enable(N, "programs.git.lfs.enable", GIT, "git-lfs (Large File Storage)")
enable(N, "programs.git.prompt.enable", GIT, "automatically sourcing git-prompt.sh")
FF = "nixos/modules/programs/firefox.nix"
enable(N, "programs.firefox.enable", FF, "the Firefox web browser")
O(N, "programs.firefox.package", FF, "The firefox package to use.", "package", "pkgs.firefox", "pkgs.firefox-esr")
O(N, "programs.firefox.policies", FF, "Group policies to install. See Mozilla's documentation for a list of available options.", "attribute set of (JSON value)", "{ }")
O(N, "programs.firefox.preferences", FF, "Preferences to set from about:config.", "attribute set of (boolean or signed integer or string)", "{ }")
O(N, "programs.firefox.nativeMessagingHosts.packages", FF, "Additional packages containing native messaging hosts that should be made available to Firefox extensions.", "list of package", "[ ]")
NV = "nixos/modules/programs/neovim.nix"
enable(N, "programs.neovim.enable", NV, "Neovim")
O(N, "programs.neovim.defaultEditor", NV, "When enabled, installs neovim and configures neovim to be the default editor using the EDITOR environment variable.", "boolean", "false")
O(N, "programs.neovim.viAlias", NV, "Symlink <code>vi</code> to <code>nvim</code> binary.", "boolean", "false")
O(N, "programs.neovim.vimAlias", NV, "Symlink <code>vim</code> to <code>nvim</code> binary.", "boolean", "false")
enable(N, "programs.vim.enable", "nixos/modules/programs/vim.nix", "Vi IMproved, an advanced text")
enable(N, "programs.zsh.enable", "nixos/modules/programs/zsh/zsh.nix", "zsh as an interactive shell")
enable(N, "programs.fish.enable", "nixos/modules/programs/fish.nix", "fish, the friendly interactive shell")
enable(N, "programs.steam.enable", "nixos/modules/programs/steam.nix", "steam")
enable(N, "programs.nix-ld.enable", "nixos/modules/programs/nix-ld.nix", "nix-ld, Documentation: <a href=\"https://github.com/nix-community/nix-ld\">https://github.com/nix-community/nix-ld</a>")
for name, src, desc, t, d in [
    ("environment.systemPackages", "nixos/modules/config/system-path.nix", "The set of packages that appear in /run/current-system/sw.", "list of package", "[ ]"),
    ("networking.hostName", "nixos/modules/tasks/network-interfaces.nix", "The name of the machine. Leave it empty if you want to obtain it from a DHCP server (if using DHCP).", "string matching the pattern ^$|^[[:alnum:]]([[:alnum:]_-]{0,61}[[:alnum:]])?$", "\"nixos\""),
    ("networking.firewall.allowedTCPPorts", "nixos/modules/services/networking/firewall.nix", "List of TCP ports on which incoming connections are accepted.", "list of 16 bit unsigned integer; between 0 and 65535 (both inclusive)", "[ ]"),
    ("networking.firewall.enable", "nixos/modules/services/networking/firewall.nix", "Whether to enable the firewall. This is a simple stateful firewall that blocks connection attempts to unauthorised TCP or UDP ports on this machine.", "boolean", "true"),
    ("boot.loader.systemd-boot.enable", "nixos/modules/system/boot/loader/systemd-boot/systemd-boot.nix", "Whether to enable the systemd-boot (formerly gummiboot) EFI boot manager.", "boolean", "false"),
    ("boot.loader.grub.device", "nixos/modules/system/boot/loader/grub/grub.nix", "The device on which the GRUB boot loader will be installed.", "string", "\"\""),
    ("boot.kernelPackages", "nixos/modules/system/boot/kernel.nix", "This option allows you to override the Linux kernel used by NixOS.", "raw value", "pkgs.linuxPackages"),
    ("users.users.<name>.isNormalUser", "nixos/modules/config/users-groups.nix", "Indicates whether this is an account for a “real” user.", "boolean", "false"),
    ("users.users.<name>.extraGroups", "nixos/modules/config/users-groups.nix", "The user's auxiliary groups.", "list of string", "[ ]"),
    ("nix.settings.experimental-features", "nixos/modules/config/nix.nix", "Experimental features that are enabled.", "list of string", "[ ]"),
    ("nixpkgs.config.allowUnfree", "nixos/modules/misc/nixpkgs.nix", "Whether to allow unfree packages.", "boolean", "false"),
    ("time.timeZone", "nixos/modules/config/locale.nix", "The time zone used when displaying times and dates.", "null or string without spaces", "null"),
    ("i18n.defaultLocale", "nixos/modules/config/i18n.nix", "The default locale.", "string", "\"en_US.UTF-8\""),
    ("system.stateVersion", "nixos/modules/misc/version.nix", "This option defines the first version of NixOS you have installed on this particular machine.", "string", "\"26.05\""),
    ("fonts.packages", "nixos/modules/config/fonts/packages.nix", "List of primary font packages.", "list of absolute path", "[ ]"),
    ("security.sudo.enable", "nixos/modules/security/sudo.nix", "Whether to enable the sudo command, which allows non-root users to execute commands as root.", "boolean", "true"),
    ("virtualisation.docker.enable", "nixos/modules/virtualisation/docker.nix", "This option enables docker, a daemon that manages linux containers.", "boolean", "false"),
    ("hardware.bluetooth.enable", "nixos/modules/services/hardware/bluetooth.nix", "Whether to enable support for Bluetooth.", "boolean", "false"),
    ("services.pipewire.enable", "nixos/modules/services/desktops/pipewire/pipewire.nix", "Whether to enable PipeWire service.", "boolean", "false"),
    ("services.xserver.enable", "nixos/modules/services/x11/xserver.nix", "Whether to enable the X server.", "boolean", "false"),
    ("services.tailscale.enable", "nixos/modules/services/networking/tailscale.nix", "Whether to enable Tailscale client daemon.", "boolean", "false"),
    ("services.gitea.enable", "nixos/modules/services/misc/gitea.nix", "Whether to enable Gitea Service.", "boolean", "false"),
    ("services.redis.servers", "nixos/modules/services/databases/redis.nix", "Configuration of multiple redis-server instances.", "attribute set of (submodule)", "{ }"),
    ("services.redis.servers.<name>.enable", "nixos/modules/services/databases/redis.nix", "Whether to enable Redis server.", "boolean", "false"),
    ("services.home-assistant.enable", "nixos/modules/services/home-automation/home-assistant.nix", "Whether to enable Home Assistant. Please note that this installs a minimal package.", "boolean", "false"),
]:
    O(N, name, src, desc, t, d)
O(N, "services.nginx.virtualHosts.<name>.extraConfig", NGX, "These lines go to the end of the vhost verbatim. Quotes \"like this\" and a * star are literal here.", "strings concatenated with \"\\n\"", "\"\"")

# Home Manager
HM = "home-manager-option"
for name, src, desc, t, d, ex in [
    ("programs.git.enable", "modules/programs/git.nix", "Whether to enable Git.", "boolean", "false", "true"),
    ("programs.git.package", "modules/programs/git.nix", "The git package to use.", "null or package", "pkgs.git", None),
    ("programs.git.userName", "modules/programs/git.nix", "Default user name to use.", "null or string", "null", None),
    ("programs.git.userEmail", "modules/programs/git.nix", "Default user email to use.", "null or string", "null", None),
    ("programs.git.extraConfig", "modules/programs/git.nix", "Additional configuration to add. The use of string values is deprecated and will be removed in the future.", "strings concatenated with \"\\n\" or attribute set of attribute set of (string or boolean or signed integer or list of (string or boolean or signed integer) or attribute set of (string or boolean or signed integer or list of (string or boolean or signed integer)))", "{ }", None),
    ("programs.git.aliases", "modules/programs/git.nix", "Git aliases to define.", "attribute set of string", "{ }", "{\n  co = \"checkout\";\n}"),
    ("programs.git.ignores", "modules/programs/git.nix", "List of paths that should be globally ignored.", "list of string", "[ ]", None),
    ("programs.git.delta.enable", "modules/programs/git.nix", "Whether to enable the delta syntax highlighter. See <a href=\"https://github.com/dandavison/delta\">https://github.com/dandavison/delta</a>.", "boolean", "false", None),
    ("programs.git.lfs.enable", "modules/programs/git.nix", "Whether to enable Git Large File Storage.", "boolean", "false", "true"),
    ("programs.git.signing.key", "modules/programs/git.nix", "The default signing key fingerprint.", "null or string", "null", None),
    ("programs.gitui.enable", "modules/programs/gitui.nix", "Whether to enable gitui: Blazing fast terminal-ui for git written in rust.", "boolean", "false", "true"),
    ("programs.lazygit.enable", "modules/programs/lazygit.nix", "Whether to enable lazygit, a simple terminal UI for git commands.", "boolean", "false", "true"),
    ("programs.firefox.enable", "modules/programs/firefox/mkFirefoxModule.nix", "Whether to enable Firefox.", "boolean", "false", "true"),
    ("programs.firefox.profiles", "modules/programs/firefox/mkFirefoxModule.nix", "Attribute set of Firefox profiles.", "attribute set of (submodule)", "{ }", None),
    ("programs.neovim.enable", "modules/programs/neovim.nix", "Whether to enable Neovim.", "boolean", "false", "true"),
    ("programs.neovim.plugins", "modules/programs/neovim.nix", "List of vim plugins to install optionally associated with configuration to be placed in init.vim.", "list of (package or (submodule))", "[ ]", None),
    ("programs.zsh.enable", "modules/programs/zsh.nix", "Whether to enable Z shell (Zsh).", "boolean", "false", "true"),
    ("programs.bash.enable", "modules/programs/bash.nix", "Whether to enable GNU Bourne-Again SHell.", "boolean", "false", "true"),
    ("programs.direnv.enable", "modules/programs/direnv.nix", "Whether to enable direnv, the environment switcher for the shell.", "boolean", "false", "true"),
    ("programs.direnv.nix-direnv.enable", "modules/programs/direnv.nix", "Whether to enable nix-direnv, a fast, persistent use_nix implementation for direnv.", "boolean", "false", "true"),
    ("programs.starship.enable", "modules/programs/starship.nix", "Whether to enable starship.", "boolean", "false", "true"),
    ("programs.tmux.enable", "modules/programs/tmux.nix", "Whether to enable tmux.", "boolean", "false", "true"),
    ("programs.fzf.enable", "modules/programs/fzf.nix", "Whether to enable fzf - a command-line fuzzy finder.", "boolean", "false", "true"),
    ("programs.ripgrep.enable", "modules/programs/ripgrep.nix", "Whether to enable Ripgrep.", "boolean", "false", "true"),
    ("programs.bat.enable", "modules/programs/bat.nix", "Whether to enable bat, a cat clone with wings.", "boolean", "false", "true"),
    ("programs.vscode.enable", "modules/programs/vscode.nix", "Whether to enable Visual Studio Code.", "boolean", "false", "true"),
    ("home.packages", "modules/home-environment.nix", "The set of packages to appear in the user environment.", "list of package", "[ ]", None),
    ("home.stateVersion", "modules/misc/version.nix", "It is occasionally necessary for Home Manager to change configuration defaults in a way that is incompatible with stateful data.", "one of \"18.09\", ..., \"26.05\"", None, None),
    ("home.username", "modules/home-environment.nix", "The user's username.", "string", None, "\"jane.doe\""),
    ("services.gpg-agent.enable", "modules/services/gpg-agent.nix", "Whether to enable GnuPG private key agent.", "boolean", "false", "true"),
    ("xdg.enable", "modules/misc/xdg.nix", "Whether to enable management of XDG base directories.", "boolean", "false", "true"),
    ("wayland.windowManager.hyprland.enable", "modules/services/window-managers/hyprland.nix", "Whether to enable configuration for Hyprland, a tiling Wayland compositor that doesn't sacrifice on its looks.", "boolean", "false", "true"),
]:
    O(HM, name, src, desc, t, d, ex)

# nix-darwin
DW = "darwin-option"
for name, src, desc, t, d, ex in [
    ("system.defaults.dock.autohide", "modules/system/defaults/dock.nix", "Whether to automatically hide and show the dock. The default is false.", "null or boolean", "null", None),
    ("system.defaults.NSGlobalDomain.AppleShowAllExtensions", "modules/system/defaults/NSGlobalDomain.nix", "Whether to show all file extensions in Finder. The default is false.", "null or boolean", "null", None),
    ("homebrew.enable", "modules/homebrew.nix", "Whether to enable nix-darwin to manage installing/updating/upgrading Homebrew taps, formulae, and casks, as well as Mac App Store apps and Docker containers, using Homebrew Bundle.", "boolean", "false", None),
    ("homebrew.casks", "modules/homebrew.nix", "List of Homebrew casks to install.", "list of ((submodule) or string convertible to it)", "[ ]", "[\n  \"firefox\"\n]"),
    ("homebrew.brews", "modules/homebrew.nix", "List of Homebrew formulae to install.", "list of ((submodule) or string convertible to it)", "[ ]", None),
    ("programs.zsh.enable", "modules/programs/zsh/default.nix", "Whether to configure zsh as an interactive shell.", "boolean", "true", None),
    ("environment.systemPackages", "modules/environment/default.nix", "The set of packages that appear in /run/current-system/sw.", "list of package", "[ ]", None),
    ("nix.enable", "modules/nix/default.nix", "Whether to enable configuring Nix.", "boolean", "true", None),
    ("security.pam.services.sudo_local.touchIdAuth", "modules/security/pam.nix", "Whether to enable Touch ID with sudo.", "boolean", "false", None),
    ("system.stateVersion", "modules/system/version.nix", "Every once in a while, a new nix-darwin release may change configuration defaults in a way incompatible with stateful data.", "integer between 1 and 6 (both inclusive)", None, None),
    ("system.primaryUser", "modules/system/primary-user.nix", "The user used for options that previously applied to the user running darwin-rebuild.", "null or string", "null", None),
    ("services.tailscale.enable", "modules/services/tailscale.nix", "Whether to enable Tailscale client daemon.", "boolean", "false", None),
    ("launchd.daemons", "modules/launchd/default.nix", "Definition of launchd daemons.", "attribute set of (submodule)", "{ }", None),
    ("networking.hostName", "modules/networking/default.nix", "Hostname for your machine.", "null or string", "null", None),
    ("programs.git.enable", "modules/programs/git.nix", "Whether to enable git.", "boolean", "false", None),
    ("services.nginx.enable", "modules/services/nginx.nix", "Whether to enable the nginx web server (fictitious nix-darwin module, to check the type filter).", "boolean", "false", None),
]:
    O(DW, name, src, desc, t, d, ex)

# modular services (type "service"): must never show up in option searches
SERVICES = [
    {"type": "service", "option_source": "nixos/modules/system/service/portable/ghostunnel.nix", "option_name": "ghostunnel.servers.<name>.listen",
     "option_description": html("Address and port to listen on."), "option_type": "string", "option_default": None, "option_example": None,
     "option_flake": None, "service_package": "ghostunnel", "service_module": "ghostunnel", "service_packages": ["ghostunnel"]},
    {"type": "service", "option_source": "pkgs/servers/http/nginx/service.nix", "option_name": "nginx.enable",
     "option_description": html("Whether to run nginx as a modular service (fictitious)."), "option_type": "boolean", "option_default": "false",
     "option_example": None, "option_flake": None, "service_package": "nginx", "service_module": "nginx", "service_packages": ["nginx"]},
]


# What differs in other channels than unstable: up.sh applies corpus.<channel>.ndjson over the
# corpus for that channel's index (a line with "_delete": true removes the document).
CHANNEL_CHANGES = {
    "26.05": {
        "versions": {"hello": "2.12.1", "firefox": "153.0", "git": "2.50.1", "nix": "2.28.4", "python3": "3.13.5"},
        "missing": ["ghostty"],
    },
}


def write_ndjson(path, docs):
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus.ndjson")
    docs = []
    seen = set()

    def add(doc_id, src):
        key = (src["type"], src.get("package_attr_name") or src.get("option_name"))
        if key in seen:
            return
        seen.add(key)
        docs.append({"_id": doc_id, "_source": src})

    for name in sorted(os.listdir(FIXTURES)):
        if name.startswith("es-") and name.endswith(".json"):
            with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
                data = json.load(f)
            for h in data.get("hits", {}).get("hits", []):
                add(h.get("_id"), h["_source"])
    for i, d in enumerate(PKGS + OPTS + SERVICES):
        add(f"gen-{i:04d}", d)
    write_ndjson(out, docs)
    by_attr = {d["_source"]["package_attr_name"]: d for d in docs if d["_source"]["type"] == "package"}
    for channel, changes in CHANNEL_CHANGES.items():
        overlay = []
        for attr, version in changes["versions"].items():
            d = by_attr[attr]
            overlay.append({"_id": d["_id"], "_source": {**d["_source"], "package_pversion": version}})
        overlay += [{"_id": by_attr[attr]["_id"], "_delete": True} for attr in changes["missing"]]
        write_ndjson(out[: -len(".ndjson")] + f".{channel}.ndjson", overlay)
    kinds = {}
    for d in docs:
        kinds[d["_source"]["type"]] = kinds.get(d["_source"]["type"], 0) + 1
    print(f"wrote {len(docs)} documents to {out}: {kinds}", file=sys.stderr)


if __name__ == "__main__":
    main()
