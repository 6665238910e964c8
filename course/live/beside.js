// course/live/beside.py puts this script right after the windows' markup, once per
// rendered output (document.currentScript is this script, its previous sibling the
// windows). It builds every node from text: the titles and URLs reach it through escaped
// data- attributes, never as markup.
(function () {
  "use strict";
  const box = document.currentScript && document.currentScript.previousElementSibling;
  if (!box || !box.classList.contains("course-side-by-side")) {
    return;
  }
  // What the chat room's status line means by the codes a server's going leaves.
  const MEANING = {
    "1005": ": the socket closed without a status code, as Jupyter's proxy closes it when"
      + " the server behind it goes away.",
    "1006": ": the connection dropped, or nothing accepted it.",
  };

  // Does the server answer? Behind jupyter-server-proxy a port where nothing listens
  // answers 500 (Jupyter's own error page); a direct URL to it fails to connect. Any
  // answer below 500, a redirect or a login page included, is a live server.
  async function answers(url) {
    const target = new URL(url, window.location.href);
    const sameOrigin = target.origin === window.location.origin;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 10000);
    try {
      const response = await fetch(target, {
        method: "HEAD",
        cache: "no-store",
        redirect: "manual",
        mode: sameOrigin ? "same-origin" : "no-cors",
        signal: abort.signal,
      });
      return response.type.startsWith("opaque") || response.status < 500;
    } catch (error) {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  function watch(figure) {
    const src = figure.dataset.src;
    const note = figure.querySelector(".course-window-note");
    const stoppedWords = note.cloneNode(true);  // the static words: "... has stopped ..."
    let frame = null;
    let checking = false;

    function showNote(nodes) {
      if (frame) {  // its page would keep retrying a server that is gone
        frame.remove();
        frame = null;
      }
      note.replaceChildren(...nodes);
      note.hidden = false;
    }

    function stopped(code) {
      const words = [...stoppedWords.cloneNode(true).childNodes];
      if (code) {
        const why = document.createElement("p");
        why.textContent = "Its page said: Closed with code " + code + (MEANING[code] || ".");
        words.push(why);
      }
      const again = document.createElement("button");
      again.type = "button";
      again.textContent = "Check again";
      again.addEventListener("click", () => {
        showNote([document.createTextNode("Checking the server again…")]);
        answers(src).then((up) => (up ? open() : stopped(null)));
      });
      const line = document.createElement("p");
      line.append(again, " reopens this window if the server is back on its port"
        + " (started again in this same kernel).");
      words.push(line);
      showNote(words);
    }

    // The page's socket closed, or the page changed: is the server still there?
    async function check(code, again) {
      if (checking || !frame) {
        return;
      }
      checking = true;
      const up = await answers(src);
      checking = false;
      if (!up) {
        stopped(code);
      } else if (again) {  // a server shutting down may still answer for a moment
        setTimeout(() => check(code, false), 2000);
      }
    }

    function watchStatus() {
      let page = null;
      try {
        page = frame && frame.contentDocument;
      } catch (error) {
        return;  // another origin (a direct URL): nothing to watch
      }
      const status = page && page.getElementById("status");
      if (!status) {
        return;
      }
      new MutationObserver(() => {
        const closed = /Closed with code (\d+)/.exec(status.textContent);
        if (closed) {
          check(closed[1], true);
        }
      }).observe(status, { childList: true, characterData: true, subtree: true });
    }

    function open() {
      frame = document.createElement("iframe");
      frame.src = src;
      frame.title = figure.dataset.title;
      frame.loading = "eager";
      frame.style.cssText = "width:100%;border:1px solid #bbb";
      frame.style.height = figure.dataset.height + "px";
      let loads = 0;
      frame.addEventListener("load", () => {
        loads += 1;
        if (loads > 1) {
          check(null, false);  // a link followed, or a reload: maybe onto a dead server
        }
        watchStatus();
      });
      note.hidden = true;
      note.after(frame);
    }

    const opening = "Opening the page of server " + figure.dataset.server + "…";
    showNote([document.createTextNode(opening)]);
    answers(src).then((up) => (up ? open() : stopped(null)));
  }

  box.querySelectorAll("figure[data-src]").forEach(watch);
})();
