/// The dashboard's only stylesheet (inline: the page works with no internet). Readable from a
/// 360 px phone to a laptop: tables scroll sideways inside their box, text never shrinks.
enum DashboardStyle {
    static let css = """
        :root{--bg:#f6f7f9;--fg:#17202a;--muted:#5d6d7e;--line:#d5dbe1;--ok:#1e8449;--warn:#b9770e;--bad:#c0392b;--accent:#1f4e79}
        *{box-sizing:border-box}
        body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;background:var(--bg);color:var(--fg)}
        header{display:flex;flex-wrap:wrap;gap:.5rem;justify-content:space-between;align-items:center;padding:.75rem 1rem;background:var(--accent);color:#fff}
        header a.brand{color:#fff;font-weight:700;text-decoration:none;font-size:1.15rem}
        header .who{display:flex;gap:.5rem;align-items:center;margin:0}
        header nav.languages{display:flex;gap:.7rem;align-items:center}
        header nav.languages a{color:#fff;opacity:.8} header nav.languages strong{color:#fff}
        header button{font:inherit;border:1px solid #fff;background:transparent;color:#fff;border-radius:4px;padding:.15rem .6rem;cursor:pointer}
        main{max-width:72rem;margin:0 auto;padding:1rem}
        h1{font-size:1.4rem;margin:.5rem 0 1rem}
        h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
        .box{background:#fff;border:1px solid var(--line);border-radius:6px;overflow-x:auto;margin-bottom:1rem}
        table{border-collapse:collapse;width:100%;min-width:32rem}
        th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
        th{background:#eef1f4;font-weight:600;white-space:nowrap}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        tr.total td{font-weight:700;background:#f3f5f7}
        .pct{display:inline-block;min-width:3.6rem}
        .bar{display:inline-block;height:.5rem;width:4rem;background:#e5e8eb;border-radius:3px;vertical-align:middle;margin-left:.3rem;overflow:hidden}
        .bar i{display:block;height:100%;background:var(--ok)}
        .bar.warn i{background:var(--warn)} .bar.bad i{background:var(--bad)}
        .flag{display:inline-block;font-size:.78rem;font-weight:600;padding:.05rem .4rem;margin:.1rem .2rem .1rem 0;border-radius:3px;background:#fdecea;color:var(--bad);border:1px solid #f5b7b1;white-space:nowrap}
        .flag.OFFLINE{background:#eaecee;color:#2c3e50;border-color:#aab7b8}
        .flag.DISK_PRESSURE,.flag.CLOCK_SKEW,.flag.CLOCK_UNTRUSTED{background:#fef5e7;color:var(--warn);border-color:#f8c471}
        .ok{color:var(--ok);font-weight:600}
        .muted{color:var(--muted)}
        nav.filters{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0}
        nav.filters a{border:1px solid var(--line);background:#fff;border-radius:999px;padding:.15rem .7rem;text-decoration:none;color:var(--accent);font-size:.9rem}
        nav.filters a.on{background:var(--accent);color:#fff;border-color:var(--accent)}
        a{color:var(--accent)}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;background:#fff;border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem}
        dl.facts dt{color:var(--muted)} dl.facts dd{margin:0}
        form.login{background:#fff;border:1px solid var(--line);border-radius:6px;padding:1rem;max-width:28rem}
        form.login input{width:100%;font:inherit;padding:.5rem;margin:.5rem 0;border:1px solid var(--line);border-radius:4px}
        form.login button{font:inherit;padding:.45rem 1rem;background:var(--accent);color:#fff;border:0;border-radius:4px}
        .error{color:var(--bad);font-weight:600}
        .pager{display:flex;gap:1rem;align-items:center;margin:.5rem 0}
        footer{max-width:72rem;margin:0 auto;padding:1rem;color:var(--muted);font-size:.85rem}
        @media (max-width:600px){body{font-size:15px} main{padding:.6rem} table{min-width:0} .bar{display:none} .hide-sm{display:none}}
        """
}
