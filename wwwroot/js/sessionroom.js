// Small helpers for the facilitator UI (MudBlazor pages call these through IJSRuntime).
window.sessionRoom = {
  // Copies text to the clipboard; falls back to a hidden textarea where the Clipboard API is unavailable.
  copy: async function (text) {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  },
  // Scrolls the element with this id to the middle of the view and moves keyboard focus to it.
  scrollToId: function (id) {
    const el = document.getElementById(id);
    if (!el) return;
    el.setAttribute("tabindex", "-1");
    el.scrollIntoView({ block: "center" });
    el.focus({ preventScroll: true });
  },
  // The observer's member access token for a session, stored by the invite page; null when absent.
  observerToken: function (sessionId) { return localStorage.getItem("sessionroom.observer." + sessionId); }
};
