// The installable app: registers the service worker (web/sw.js), offers a reload when a
// new version is ready (a stale page never calls a changed API silently), and says
// plainly when the connection is gone. The office console and the institution page
// (data-online="required") do not work offline, and say so.
import "./brand.js";

const script = document.currentScript || document.querySelector('script[src$="js/pwa.js"]');
const onlineOnly = script && script.dataset.online === "required";

function banner(id, text, button) {
  let box = document.getElementById(id);
  if (!box) {
    box = document.createElement("div");
    box.id = id;
    box.className = "notice pwa-banner";
    box.setAttribute("role", "status");
    document.querySelector("main .wrap, main")?.prepend(box);
  }
  box.textContent = text;
  if (button) { box.append(" "); box.append(button); }
  box.hidden = false;
  return box;
}

function offlineState() {
  if (navigator.onLine) { const b = document.getElementById("offline-banner"); if (b) b.hidden = true; return; }
  banner("offline-banner", onlineOnly
    ? "İnternet bağlantısı yok: bu sayfa çevrimdışı çalışmaz. Bağlantınız gelince sayfayı yenileyiniz; yazdıklarınız bu sekmede saklanır."
    : "İnternet bağlantısı yok: sayfa açık kalır, başvurunuz bağlantı gelince gönderilir.");
}
window.addEventListener("online", offlineState);
window.addEventListener("offline", offlineState);
offlineState();

if ("serviceWorker" in navigator) {
  let accepted = false;
  const offer = (worker) => {
    const button = document.createElement("button");
    button.type = "button";
    button.id = "pwa-reload";
    button.textContent = "Yenile";
    button.addEventListener("click", () => { accepted = true; worker.postMessage("skip-waiting"); });
    banner("update-banner", "Açık Kapı'nın yeni sürümü hazır. Güncel sürümle devam etmek için sayfayı yenileyiniz.", button);
  };
  navigator.serviceWorker.register("sw.js").then((reg) => {
    if (reg.waiting && navigator.serviceWorker.controller) offer(reg.waiting);
    reg.addEventListener("updatefound", () => {
      const worker = reg.installing;
      worker && worker.addEventListener("statechange", () => {
        if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
      });
    });
  }).catch(() => {});
  navigator.serviceWorker.addEventListener("controllerchange", () => { if (accepted) location.reload(); });
}
