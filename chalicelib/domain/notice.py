"""The KVKK art. 10 notice (aydınlatma metni), with what the Communiqué on the Procedures
of the Obligation to Inform (Aydınlatma Yükümlülüğü Tebliği, RG 10.3.2018) art. 5 asks it
to name: the controller with its address and contact, the purposes, the recipients
(processors included) and why, the method and legal ground of collection, what is
collected, special categories of data, transfers abroad, how long data is kept, and every
right of art. 11 with how to use it. Pure: the office's details and where the data is
held are handed in."""
from __future__ import annotations

RIGHTS = [
    "(a) kişisel verilerinizin işlenip işlenmediğini öğrenme,",
    "(b) işlenmişse buna ilişkin bilgi talep etme,",
    "(c) işlenme amacını ve bunların amacına uygun kullanılıp kullanılmadığını öğrenme,",
    "(ç) yurt içinde veya yurt dışında aktarıldığı üçüncü kişileri bilme,",
    "(d) eksik veya yanlış işlenmişse düzeltilmesini isteme,",
    "(e) KVKK 7. madde çerçevesinde silinmesini veya yok edilmesini isteme,",
    "(f) (d) ve (e) bentleri uyarınca yapılan işlemlerin, verilerin aktarıldığı üçüncü kişilere bildirilmesini "
    "isteme,",
    "(g) münhasıran otomatik sistemler vasıtasıyla analiz edilmesi suretiyle aleyhinize bir sonucun ortaya "
    "çıkmasına itiraz etme,",
    "(ğ) kanuna aykırı olarak işlenmesi sebebiyle zarara uğramanız hâlinde zararın giderilmesini talep etme.",
]


def notice(office: dict | None, location, *, retention_years: int) -> dict:
    """`office`: {name, address, phone, email, kep} of the office the application goes to,
    or None before one is chosen; `location`: domain/hosting.DataLocation."""
    if office:
        contact = ", ".join(x for x in (office.get("address"), office.get("phone") and f"telefon {office['phone']}",
                                        office.get("email") and f"e-posta {office['email']}",
                                        office.get("kep") and f"KEP {office['kep']}") if x)
        controller = f"{office['name']}" + (f" ({contact})" if contact else "")
    else:
        controller = ("Başvurunuzu yaptığınız valilik ya da kaymakamlık; il ve ilçeyi seçtiğinizde adı, adresi ve "
                      "iletişim bilgileri burada gösterilir")
    abroad = (f" Veriler {location.place} tutulduğundan bu, KVKK 9. maddesi kapsamında yurt dışına aktarımdır. "
              f"Alıcı: {location.recipient}. Aktarımın dayanağı: {location.basis}." if location.abroad else "")
    sections = [
        ("Veri sorumlusu", f"{controller}. Başvurunuzdaki kişisel veriler, 6698 sayılı Kişisel Verilerin Korunması "
                           "Kanunu (KVKK) uyarınca veri sorumlusu sıfatıyla bu makamca işlenir."),
        ("Hangi verileriniz işlenir", "T.C. kimlik numaranız ya da yabancı kimlik numaranız, adınız ve soyadınız, cep "
                                      "telefonunuz, isteğe bağlı e-posta adresiniz, adresiniz, başvurunuzun konusu ve "
                                      "metni, isteğe bağlı olarak konumunuz ve mahalleniz, eklediğiniz fotoğraf ve "
                                      "belgeler, sonradan gönderdiğiniz cevaplar ve itirazlar, memnuniyet anketi "
                                      "yorumunuz; güvenlik için erişim kayıtları (internet adresi ve zamanı)."),
        ("Özel nitelikli veriler", "Şikâyet ve ihbarlar sağlık, ceza mahkûmiyeti, inanç gibi özel nitelikli veriler "
                                   "içerebilir. Bu veriler yalnızca başvurunuzun gereği için, şifreli olarak saklanır; "
                                   "her görüntüleme kayıt altına alınır (KVKK m. 6 ve Kurulun 2018/10 sayılı kararı). "
                                   "Başvurunuz için gerekli olmayan özel nitelikli veri yazmamanızı rica ederiz."),
        ("Amaçlar", "Başvurunuzun alınması, kaydedilmesi, yetkili kurumlara iletilmesi, sonuçlandırılması ve size "
                    "bildirilmesi; süre ve hatırlatmaların izlenmesi; kişisel veri içermeyen istatistikler; "
                    "sistemin güvenliği ve kötüye kullanımın önlenmesi."),
        ("Toplama yöntemi ve hukuki sebep", "Veriler, internet sitesi ve mobil uygulama üzerinden elektronik "
                                            "ortamda, Açık Kapı masasında yüz yüze ya da telefonla ve Open311 ortak "
                                            "uygulamaları üzerinden, otomatik ve kısmen otomatik yollarla toplanır. "
                                            "Hukuki sebepler: 3071 sayılı Dilekçe Hakkının Kullanılmasına Dair Kanun ve "
                                            "4982 sayılı Bilgi Edinme Hakkı Kanununda açıkça öngörülmesi ve hukuki "
                                            "yükümlülük (KVKK m. 5/2-a ve ç), güvenlik kayıtları için meşru menfaat "
                                            "(m. 5/2-f); özel nitelikli veriler için KVKK m. 6/3."),
        ("Kimlere aktarılır", "Başvurunuz, konusu bakımından yetkili kamu kurumlarına (belediye, emniyet, sağlık, "
                              "eğitim vb.) iletilir; suç duyurusu niteliğindeki başvurular Cumhuriyet Başsavcılığına "
                              "gönderilir (CMK m. 158/2). İhbarda kimliğinizin gizli tutulmasını isterseniz kimlik "
                              "bilgileriniz kurumlarla paylaşılmaz. Hizmet sağlayıcılar (veri işleyenler): "
                              "barındırma, veri tabanı, e-posta ve SMS gönderimi"
                              + (f" ({location.recipient})" if location.recipient else "")
                              + ". Başvurunuzu bir Open311 ortak uygulamasıyla yaptıysanız o uygulama, başvurunuzun "
                                "numarasını ve kişisel veri içermeyen durum bilgisini alır. Mahkeme ve savcılıklar "
                                "gibi yetkili mercilere, kanunun gerektirdiği hâllerde aktarılır."),
        ("Verilerin bulunduğu yer", f"{location.place}.{abroad}"),
        ("Saklama süresi", f"Kimlik numaranız ve telefonunuz şifreli saklanır; ekranlarda maskelenir. Başvuru dosyası "
                           f"resmî kayıttır: kişisel verileriniz başvurunun sonuçlanmasından itibaren {retention_years} "
                           "yıl saklanır, sonra ayda bir yapılan imha ile geri döndürülemez biçimde anonim hâle "
                           "getirilir; ekler silinir. Sonuç ve istatistik bilgileri kişisel veri içermeden kalır."),
        ("Haklarınız (KVKK m. 11)", " ".join(RIGHTS)),
        ("Haklarınızı nasıl kullanırsınız", "Başvurunuzu yaptığınız Açık Kapı bürosuna şahsen, yazılı olarak (dilekçe, "
                                            "KEP) iletebilirsiniz; en geç 30 gün içinde cevaplanır (KVKK m. 13). "
                                            "Cevabı yetersiz bulursanız Kişisel Verileri Koruma Kuruluna "
                                            "şikâyette bulunabilirsiniz (m. 14). Bir başvurudaki verilerinizi "
                                            "başvuru numarası ve erişim koduyla “Başvurumu izle” sayfasından kendiniz "
                                            "de indirebilirsiniz."),
    ]
    return {"controller": controller, "abroad": location.abroad,
            "sections": [{"title": t, "text": text} for t, text in sections]}
