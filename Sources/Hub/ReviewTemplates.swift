// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Mustache

/// The review pages' Mustache templates, kept in the binary so that `make install` needs no
/// resource bundle. `{{…}}` escapes HTML; `{{{…}}}` is used only for the SVG the hub draws itself.
enum ReviewTemplates {
  static func library() throws -> MustacheLibrary {
    var library = MustacheLibrary()
    for (name, text) in [
      ("head", head), ("foot", foot), ("login", login), ("queue", queue), ("candidate", candidate),
      ("error", error),
    ] {
      try library.register(text, named: name)
    }
    return library
  }

  static let head = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>{{title}} · Chalkline review</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="stylesheet" href="/review.css"></head><body>
    <header><strong>Chalkline review</strong>
    {{#reviewer}}<span class="who">{{reviewer}} · purpose: {{#purpose}}{{purpose}}{{/purpose}}{{^purpose}}none stated{{/purpose}}</span>
    <nav><a href="/queue">Queue</a></nav>
    <form method="post" action="/purpose" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
    <select name="purpose" aria-label="purpose">{{#purposes}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/purposes}}</select>
    <button>Set purpose</button></form>
    <form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button id="logout">Log out</button></form>
    {{/reviewer}}</header><main>
    """

  static let foot = """
    </main><footer>Every view is recorded with its purpose in the hub's access audit (Cal. Civ. Code §1798.90.52).</footer></body></html>
    """

  static let login = """
    {{> head}}
    <h1>Log in</h1>
    {{#message}}<p class="error">{{message}}</p>{{/message}}
    <form method="post" action="/login" id="login">
    <label>Name <input name="name" id="name" autocomplete="username" required></label>
    <label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
    <label>Purpose of this session <select name="purpose" id="purpose">
    <option value="">(state it per view)</option>
    {{#purposes}}<option>{{name}}</option>{{/purposes}}</select></label>
    <button id="submit">Log in</button></form>
    {{> foot}}
    """

  static let queue = """
    {{> head}}
    <h1>Pending candidates ({{total}})</h1>
    <table id="queue"><thead><tr><th>Candidate</th><th>Received</th><th>Zone</th><th>Rule</th><th>Elapsed</th><th>Read confidence</th><th>Device</th></tr></thead><tbody>
    {{#rows}}<tr><td><a class="candidate" href="/candidates/{{id}}{{query}}">{{short}}</a></td><td>{{received}}</td><td>{{zone}}</td><td>{{rule}}</td><td>{{elapsed}}</td><td>{{confidence}}</td><td>{{device}}</td></tr>
    {{/rows}}{{^rows}}<tr><td colspan="7">Nothing pending.</td></tr>{{/rows}}
    </tbody></table>
    <p class="pages">Page {{page}} of {{pageCount}}
    {{#previous}}<a href="/queue?page={{previous}}">previous</a>{{/previous}} {{#next}}<a href="/queue?page={{next}}">next</a>{{/next}}</p>
    <h2>Export for ticketing</h2>
    <form method="post" action="/export" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
    <label>Decided since <input name="since" type="date"></label>
    <select name="format"><option>csv</option><option>json</option></select>
    <button>Export accepted and corrected</button></form>
    {{> foot}}
    """

  static let candidate = """
    {{> head}}
    <h1>Candidate <code>{{id}}</code></h1>
    <p class="state state-{{state}}">Review state: <strong id="review-state">{{state}}</strong>{{#decision}} — {{outcome}}{{#reason}} ({{reason}}){{/reason}} by {{reviewer}} at {{at}}{{#note}}: “{{note}}”{{/note}}{{/decision}}</p>
    <section class="facts"><dl>
    <dt>Plate read</dt><dd><strong id="plate">{{plate}}</strong>{{#corrected}} → corrected to <strong>{{corrected}}</strong>{{/corrected}}</dd>
    <dt>Alternatives</dt><dd>{{#alternatives}}{{.}} {{/alternatives}}{{^alternatives}}none{{/alternatives}}</dd>
    <dt>Read confidence</dt><dd>{{confidence}}</dd>
    <dt>Rule</dt><dd>{{rule}}</dd>
    <dt>Zone</dt><dd>{{zone}}{{#zoneName}} — {{zoneName}}{{/zoneName}}</dd>
    <dt>Street</dt><dd>{{street}}</dd>
    <dt>Zone policies</dt><dd>{{#policies}}{{.}}<br>{{/policies}}{{^policies}}the zones document does not name this zone{{/policies}}</dd>
    <dt>Enforced time elapsed</dt><dd>{{elapsed}}</dd>
    <dt>Distance between sightings</dt><dd>{{distance}}</dd>
    <dt>Vehicle</dt><dd id="vehicle">{{vehicle}}</dd><dt>Device key</dt><dd>{{device}}</dd></dl>
    <figure class="plot">{{{plot}}}<figcaption>Sightings 1 (blue) and 2 (red) with their uncertainty circles{{#outline}}, inside the curb zone's outline (yellow){{/outline}}</figcaption></figure></section>
    <section class="sightings">
    {{#sightings}}<article class="sighting"><h2>Sighting {{number}}</h2>
    <p>{{time}}<br>{{latitude}}, {{longitude}} (±{{uncertainty}} m)<br>read: {{reading}}</p>
    {{#pictures}}<img class="plate" src="{{plateURL}}" alt="plate crop, sighting {{number}}">
    <img class="vehicle" src="{{vehicleURL}}" alt="vehicle crop, sighting {{number}}">{{/pictures}}
    {{^pictures}}<p class="gone">Evidence deleted under the retention policy.</p>{{/pictures}}</article>
    {{/sightings}}</section>
    {{#pending}}<section class="decide"><h2>Decision</h2>
    <form method="post" action="/candidates/{{id}}/decision" id="accept"><input type="hidden" name="csrf" value="{{csrf}}">
    <input type="hidden" name="action" value="accept"><button id="accept-button">Accept</button></form>
    <form method="post" action="/candidates/{{id}}/decision" id="reject"><input type="hidden" name="csrf" value="{{csrf}}">
    <input type="hidden" name="action" value="reject">
    <select name="reason" id="reason"><option value="misread">misread</option><option value="moved">moved</option>
    <option value="has permit">has permit</option><option value="other">other</option></select>
    <input name="note" id="reject-note" placeholder="note (optional)" maxlength="500">
    <button id="reject-button">Reject</button></form>
    <form method="post" action="/candidates/{{id}}/decision" id="correct"><input type="hidden" name="csrf" value="{{csrf}}">
    <input type="hidden" name="action" value="correct">
    <input name="plate" id="corrected-plate" placeholder="correct plate text" maxlength="10" required>
    <input name="note" placeholder="note (optional)" maxlength="500">
    <button id="correct-button">Correct and accept</button></form></section>{{/pending}}
    <p><a href="/queue">Back to the queue</a></p>
    {{> foot}}
    """

  static let error = """
    {{> head}}
    <h1>{{title}}</h1><p class="error" id="error">{{message}}</p>
    <p><a href="/queue">Back to the queue</a></p>
    {{> foot}}
    """

  static let css = """
    body{font-family:sans-serif;margin:0;color:#222}header{background:#243447;color:#fff;padding:.5em 1em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
    header a{color:#fff}main{padding:1em}footer{color:#666;font-size:.8em;padding:1em}.inline{display:inline}
    table{border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:.25em .6em;text-align:left}
    .error{color:#a00}.facts{display:flex;gap:2em;flex-wrap:wrap}dl{display:grid;grid-template-columns:auto auto;gap:.2em 1em}
    dt{font-weight:bold}.sightings{display:flex;gap:1em;flex-wrap:wrap}.sighting{border:1px solid #ccc;padding:.5em}
    .sighting img{display:block;margin:.3em 0;max-width:480px;border:1px solid #888}.decide form{margin:.5em 0}
    label{display:block;margin:.4em 0}
    """
}
