// What every receipt says, on the citizen's page and at the desk alike (issue 41): the
// legal due date with its law, and the verification (short code and QR code, dogrula.html).
import { api, fmtDate } from "./api.js";

export function dueText(r) {
  return r.legal_due_date
    ? `Size en geç ${fmtDate(r.legal_due_date)} tarihine kadar gerekçeli bir cevap verilir (${r.type === "bilgi_edinme" ? "4982 sayılı Kanun: 15 iş günü" : "3071 sayılı Kanun: 30 gün"}).`
    : "Teşekkür başvurularında yasal cevap süresi yoktur; teşekkürünüz ilgili kuruma iletilir.";
}

export function trackingAddress(r) {
  return new URL(`izle.html#no=${encodeURIComponent(r.application_no)}`, location.href).href;
}

// The QR code of the receipt's dogrula.html address, drawn by the API for a receipt it signed.
export async function drawQr(img, verification) {
  if (!verification) return;
  try {
    const { qr } = await api("GET", `/v1/receipts/qr?r=${encodeURIComponent(verification.token)}`);
    img.src = qr;
    img.hidden = false;
  } catch { /* offline: the short code and the address still verify it */ }
}
