"""The demo's fixed content: departments, services, tasks and how each task fares in each iteration.

`FARES[service][task] = [(p_success, p_hard_given_success, median_seconds), ...]`, one tuple per iteration.
The numbers are chosen so that the demo shows clear improvements, clear regressions and no change.
"""

DEPARTMENTS = [
    ("kodomo", "子ども家庭部", "Children and Families Department"),
    ("kankyo", "環境清掃部", "Environment and Sanitation Department"),
    ("kumin", "区民部", "Residents' Affairs Department"),
    ("zeimu", "税務部", "Taxation Department"),
]

SERVICES = [
    {
        "key": "childcare", "department": "kodomo",
        "name_ja": "保育園入園のオンライン申請", "name_en": "Online childcare-place application",
        "url": "https://example.city.lg.jp/hoiku/shinsei",
        "description_ja": "認可保育園の入園申込みをオンラインで行うサービスです。",
        "description_en": "Apply for a place at a licensed nursery online.",
        "tasks": [
            ("申請ページを見つける", "Find the application page", "区のホームページから保育園の入園申請ページを探してください。", "Starting from the city's home page, find the page where you apply for a nursery place."),
            ("必要書類をアップロードする", "Upload the required documents", "就労証明書の画像をアップロードしてください。", "Upload a photo of the proof-of-employment form."),
            ("希望する園を選んで申請する", "Choose nurseries and submit", "希望する保育園を3つ選び、申請を送信してください。", "Choose three nurseries in order of preference and submit the application."),
            ("申請状況を確認する", "Check the application status", "送信した申請が受け付けられたかを確認してください。", "Check whether your application has been received."),
        ],
    },
    {
        "key": "sodai", "department": "kankyo",
        "name_ja": "粗大ごみ収集の申込み", "name_en": "Oversized-garbage collection booking",
        "url": "https://example.city.lg.jp/sodai",
        "description_ja": "粗大ごみの収集日をオンラインで予約し、手数料を支払うサービスです。",
        "description_en": "Book a collection day for oversized garbage and pay the fee online.",
        "tasks": [
            ("品目を検索する", "Look up the item", "「電子レンジ」の手数料を調べてください。", "Find the fee for a microwave oven."),
            ("収集日を予約する", "Book a collection day", "来週の収集日を予約してください。", "Book a collection day next week."),
            ("手数料を支払う", "Pay the fee", "クレジットカードで手数料を支払ってください。", "Pay the fee by credit card."),
        ],
    },
    {
        "key": "juminhyo", "department": "kumin",
        "name_ja": "住民票の写しのオンライン請求", "name_en": "Resident-record copy request",
        "url": "https://example.city.lg.jp/juminhyo",
        "description_ja": "マイナンバーカードで本人確認をして、住民票の写しを郵送で請求するサービスです。",
        "description_en": "Request a copy of your resident record by post, identifying yourself with your My Number card.",
        "tasks": [
            ("マイナンバーカードでログインする", "Log in with the My Number card", "スマートフォンでマイナンバーカードを読み取ってログインしてください。", "Log in by reading your My Number card with your phone."),
            ("請求内容を選ぶ", "Choose what to request", "世帯全員の住民票を1通請求する内容を選んでください。", "Choose one copy of the record for the whole household."),
            ("手数料を支払って送信する", "Pay and send", "手数料を支払い、請求を送信してください。", "Pay the fee and send the request."),
        ],
    },
    {
        "key": "zeikin", "department": "zeimu",
        "name_ja": "特別区民税・都民税の納付", "name_en": "Resident tax payment",
        "url": "https://example.city.lg.jp/nozei",
        "description_ja": "納付書の番号を入力して住民税をオンラインで納付するサービスです。",
        "description_en": "Pay resident tax online with the number on the payment slip.",
        "tasks": [
            ("納付番号を入力する", "Enter the payment number", "納付書に書かれた番号を入力してください。", "Enter the number printed on the payment slip."),
            ("支払い方法を選ぶ", "Choose how to pay", "スマートフォン決済で支払う方法を選んでください。", "Choose to pay with a smartphone payment app."),
            ("領収を確認する", "Check the receipt", "支払いが終わったことを確認できる画面を表示してください。", "Show the screen that confirms the payment."),
        ],
    },
]

ITERATIONS = [
    ("2024年度版", "2024-10-01", "2024-10-31", ""),
    ("2025年度版", "2025-10-01", "2025-10-31", "トップページからの導線を見直しました。"),
    ("2026年度版", "2026-10-01", "2026-10-31", "書類アップロード画面を作り直し、スマートフォンで撮った写真をそのまま送れるようにしました。"),
]

FARES = {
    "childcare": [
        [(0.45, 0.50, 180), (0.72, 0.30, 110), (0.74, 0.30, 105)],   # finding the page: improves in v2
        [(0.48, 0.45, 240), (0.46, 0.45, 235), (0.86, 0.15, 120)],   # upload: big improvement in v3
        [(0.70, 0.30, 200), (0.72, 0.30, 195), (0.71, 0.30, 190)],   # submit: no change
        [(0.85, 0.15, 60), (0.86, 0.15, 58), (0.50, 0.40, 95)],      # status: worse in v3
    ],
    "sodai": [
        [(0.80, 0.20, 70), (0.82, 0.20, 65), (0.81, 0.20, 66)],
        [(0.70, 0.25, 120), (0.72, 0.25, 115), (0.74, 0.25, 110)],
        [(0.75, 0.25, 140), (0.40, 0.50, 210), (0.80, 0.20, 120)],   # payment breaks in v2, fixed in v3
    ],
    "juminhyo": [
        [(0.50, 0.50, 200), (0.50, 0.50, 190), (0.92, 0.12, 100)],   # card login improves in v3
        [(0.85, 0.15, 60), (0.84, 0.15, 62), (0.85, 0.15, 60)],
        [(0.78, 0.20, 90), (0.80, 0.20, 88), (0.79, 0.20, 85)],
    ],
    "zeikin": [
        [(0.75, 0.25, 80), (0.76, 0.25, 78), (0.77, 0.25, 75)],
        [(0.55, 0.40, 100), (0.88, 0.12, 70), (0.88, 0.12, 68)],     # payment choice improves in v2
        [(0.88, 0.10, 30), (0.87, 0.10, 32), (0.88, 0.10, 30)],
    ],
}

# Tokyo's 23 wards and two Tama cities (6-digit local-government codes), plus Yokohama for a non-Tokyo resident.
MUNICIPALITIES = [
    "131016", "131024", "131032", "131041", "131059", "131067", "131075", "131083", "131091", "131105",
    "131113", "131121", "131130", "131148", "131156", "131164", "131172", "131181", "131199", "131202",
    "131211", "131229", "131237", "132012", "132080", "141003",
]
# Most residents come from the wards where the venues are, as at a real city's sessions; the rest spread
# thinly, so the map shows both coloured wards and wards withheld under k.
MUNICIPALITY_WEIGHTS = {"131041": 10, "131121": 7, "131202": 6, "131148": 5}
AGE_BANDS = ["20s", "30s", "30s", "40s", "40s", "50s", "60s", "70s", "80_plus"]
DEVICES = ["smartphone", "smartphone", "smartphone", "pc", "pc", "tablet"]
ASSISTIVE = ["none"] * 12 + ["screen_reader", "magnifier"]
FREQUENCIES = ["daily", "weekly", "monthly", "rarely"]

VENUES = [
    ("区役所本庁舎 区民ホール", "東京都新宿区歌舞伎町1-4-1", "131041", 35.6938, 139.7034),
    ("地域センター 会議室", "東京都世田谷区世田谷4-21-27", "131121", 35.6466, 139.6532),
    ("区民会館 多目的室", "東京都練馬区豊玉北6-12-1", "131202", 35.7356, 139.6517),
]

COMMENTS_NEGATIVE_JA = [
    "ファイルをアップロードしようとするとエラーになって先に進めませんでした。",
    "ボタンがどこにあるのか分かりにくく、何度も戻ってしまいました。",
    "文字が小さくて読みにくいです。スマホだと特に見づらい。",
    "途中でタイムアウトして、最初から入力し直しになりました。",
    "専門用語が多くて、何を選べばいいのか分かりませんでした。",
    "ログインできないまま時間が過ぎてしまった。",
    "確認メールが届かないので、申請できたのか不安です。",
    "入力した内容が消えてしまい、とても困りました。",
]
COMMENTS_POSITIVE_JA = [
    "思っていたより簡単に申し込めました。",
    "案内が分かりやすく、迷わずに進めました。",
    "スマホで写真を撮ってそのまま送れるのは便利です。",
    "前より画面がすっきりして使いやすくなったと思います。",
    "区役所に行かずに済むのでとても助かります。",
]
COMMENTS_NEUTRAL_JA = [
    "スマートフォンで操作しました。",
    "特に問題はありませんでした。",
    "手順は全部で3つでした。",
]
COMMENTS_EN = [
    ("The upload button was hard to find and the error message did not help.", "negative"),
    ("Easy to use, it only took a couple of minutes.", "positive"),
    ("I could not tell whether my application had been received.", "negative"),
    ("Clear instructions, thank you.", "positive"),
]
COMMENTS_WITH_PII = [
    "分からないところがあったので、090-1234-5678に電話してほしいです。",
    "確認メールが来ません。taro.yamada@example.com に送ってください。",
]
OVERALL_COMMENTS = [
    "全体としては使いやすかったですが、書類の準備が大変でした。",
    "窓口に行かなくても手続きできるのはありがたいです。",
    "高齢の親には難しいと思います。",
    "Overall fine, but the Japanese-only error messages were confusing.",
]

FINDINGS = [
    # service, title, description, severity, status, found in (iteration no.), fixed in, verified in, task indexes
    ("childcare", "書類アップロードでエラーが出る", "スマートフォンで撮影した写真（HEIC形式）をアップロードするとエラーになる。", 4, "fixed", 1, 3, None, [1]),
    ("childcare", "申請ページへの導線が見つけにくい", "トップページから申請ページまでのリンクが「手続き」の奥にあり、見つけられない参加者が多い。", 3, "verified", 1, 2, 3, [0]),
    ("childcare", "申請状況の確認画面が分かりにくくなった", "第3版で申請状況の表示場所が変わり、確認できない参加者が増えた。", 3, "new", 3, None, None, [3]),
    ("sodai", "支払い画面でタイムアウトする", "カード情報の入力中にセッションが切れる。", 4, "fixed", 2, 3, None, [2]),
    ("juminhyo", "カード読み取りの案内が足りない", "スマートフォンのどこにカードを当てるかの図がない。", 2, "fixed", 1, 3, None, [0]),
    ("zeikin", "納付番号の桁数が分かりにくい", "入力欄に桁数の案内がない。", 1, "wont_fix", 1, None, None, [0]),
]

STAFF = [
    ("admin@example.jp", "admin", "管理者", None),
    ("team@example.jp", "service_team", "子ども家庭部 サービスチーム", ["childcare"]),
    ("team-sodai@example.jp", "service_team", "環境清掃部 サービスチーム", ["sodai"]),
    ("owner@example.jp", "product_owner", "プロダクトオーナー", ["childcare", "sodai"]),
    ("facilitator@example.jp", "facilitator", "ファシリテーター", ["childcare"]),
]


# Live-service feedback (the form on the live service's own site): per service, the chance of each rating 1..5
# in each iteration, and comments residents leave (some in English). Childcare's upload fix shows; sodai stays.
FEEDBACK_ANSWERS_PER_ITERATION = 60
FEEDBACK = {
    "childcare": [(0.14, 0.20, 0.22, 0.30, 0.14), (0.10, 0.18, 0.22, 0.34, 0.16), (0.05, 0.08, 0.17, 0.42, 0.28)],
    "sodai": [(0.06, 0.10, 0.22, 0.40, 0.22), (0.05, 0.10, 0.23, 0.40, 0.22), (0.06, 0.09, 0.22, 0.41, 0.22)],
}
FEEDBACK_COMMENTS = {
    1: ["書類のアップロードが何度やってもできませんでした。", "どこから申し込むのか分からず、電話で聞きました。"],
    2: ["入力項目が多くて途中で疲れました。", "スマートフォンだと文字が小さくて読みにくいです。"],
    3: ["普通に使えましたが、もう少し説明がほしいです。", "The English page was hard to find."],
    4: ["思ったより早く終わりました。", "写真をそのまま送れるのが便利でした。"],
    5: ["窓口に行かずに済んで助かりました。ありがとうございます。", "Very easy, thank you!"],
}
