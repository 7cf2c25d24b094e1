// The installable app: registers the service worker (web/sw.js), offers a reload when a
// new version is ready (a stale page never calls a changed API silently), and says
// plainly when the connection is gone. The office console and the institution page
// (data-online="required") do not work offline, and say so.
import "./brand.js";
import "./i18n.js";      // the chosen language and the switch, on every page
import { queued, SENT, sendQueued, settleFromWorker } from "./outbox.js";

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

// An application queued offline (web/js/outbox.js) is announced on every citizen page and
// sent from whichever is open when the connection comes back; the form page has its own
// panel for it and shows the receipt.
const formPage = !!document.getElementById("pending");
function link(href, text) { const a = document.createElement("a"); a.href = href; a.textContent = text; return a; }
async function outboxState() {
  if (onlineOnly || formPage) return;
  const { refused } = await settleFromWorker();
  let result = refused ? { refused } : {};
  if (queued() && navigator.onLine) result = await sendQueued();
  const box = document.getElementById("outbox-banner");
  if (localStorage.getItem(SENT) || result.sent) {
    if (result.sent) localStorage.setItem(SENT, JSON.stringify(result.sent));
    banner("outbox-banner", "Bekleyen başvurunuz gönderildi. Numaranızı ve erişim kodunuzu görmek ve not almak için:",
      link("basvuru.html#alindi", "alındı belgesini açınız"));
  } else if (result.refused) {
    banner("outbox-banner", `Bekleyen başvurunuz gönderilemedi: ${result.refused.message || (result.refused.error || {}).message || "bilgiler kontrol edilmeli"}. Taslağınız saklı:`,
      link("basvuru.html", "başvuru formunu açınız"));
  } else if (queued()) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = "outbox-send";
    button.className = "secondary";
    button.textContent = "Şimdi gönder";
    button.addEventListener("click", outboxState);
    banner("outbox-banner", "Gönderilmeyi bekleyen bir başvurunuz var: bağlantı gelince bu sayfadan da kendiliğinden gönderilir; aynı başvuru iki kez kaydedilmez.", button);
  } else if (box) {
    box.hidden = true;
  }
}
window.addEventListener("online", outboxState);
navigator.serviceWorker?.addEventListener("message", (e) => { if (e.data && e.data.type === "outbox-settled") outboxState(); });
outboxState();

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
