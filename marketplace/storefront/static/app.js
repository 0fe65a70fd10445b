/* Comptoir storefront: pick a shop, tap products, order, follow the order live.
 *
 * No framework, no build step. Safety rules of this file:
 * - the DOM is built with el() only: text goes in through textContent/append(string),
 *   never as HTML, so a product or shop name can never become markup;
 * - the order secret (X-Order-Secret) lives in this browser's localStorage only;
 * - routes are the URL's hash (#/b/<shop>/p/<sku>), so the server serves three files.
 */
'use strict';
(() => {
  const API = '/v1/customer';
  const WAIT_S = 25; // long-poll hold asked of the server for the status page
  const main = document.getElementById('main');
  const cartbar = document.getElementById('cartbar');
  const money = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
  const euros = (cents) => money.format(cents / 100);

  // -- storage (localStorage may be off: then nothing is remembered, ordering still works) --
  const store = {
    get(key, fallback) {
      try { const v = localStorage.getItem('comptoir.' + key); return v ? JSON.parse(v) : fallback; }
      catch (e) { return fallback; }
    },
    set(key, value) { try { localStorage.setItem('comptoir.' + key, JSON.stringify(value)); } catch (e) { /* private mode */ } },
    del(key) { try { localStorage.removeItem('comptoir.' + key); } catch (e) { /* idem */ } },
  };

  // -- DOM ------------------------------------------------------------------------------
  function el(tag, attrs, ...kids) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const kid of kids.flat()) {
      if (kid !== null && kid !== undefined && kid !== false) node.append(kid); // strings: text nodes
    }
    return node;
  }
  const sr = (text) => el('span', { class: 'sr' }, text);
  const banner = (kind, ...text) => el('p', { class: 'banner ' + kind, role: kind === 'stop' ? 'alert' : null }, ...text);

  let generation = 0; // bumps at each route change: a late answer for an old page is dropped
  let navigated = false;
  function show(title, ...nodes) {
    document.title = title + ' — Comptoir';
    main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined && n !== false));
    if (navigated) main.focus(); // keyboard and screen-reader users start at the new page
    navigated = true;
    if (!performance.getEntriesByName('comptoir:rendered').length) performance.mark('comptoir:rendered');
  }

  // -- API ------------------------------------------------------------------------------
  const FIELD_MESSAGES = {
    'customer.name': 'Indiquez votre nom (une ligne, 80 caractères au plus).',
    'customer.phone': 'Indiquez un numéro de téléphone (30 caractères au plus).',
    'customer.address': 'Indiquez l’adresse de livraison (4 lignes au plus).',
    note: 'La note tient en 6 lignes et 300 caractères au plus.',
    allergens: 'Les allergies tiennent en 3 lignes et 200 caractères au plus.',
    pickup_slot: 'Choisissez un créneau de retrait proposé.',
  };
  class ApiError extends Error {
    constructor(status, code, message, field) { super(message); this.status = status; this.code = code; this.field = field; }
  }
  async function api(path, { method = 'GET', body, secret, signal } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (secret) headers['X-Order-Secret'] = secret;
    let res;
    try {
      res = await fetch(API + path, { method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, 'network', 'Connexion impossible : vérifiez le réseau et réessayez.');
    }
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      const err = (data && data.error) || {};
      // Server messages are French except shape errors (invalid_request): say those per field.
      let message = err.message || 'Erreur ' + res.status + ' : réessayez plus tard.';
      if (err.code === 'invalid_request') message = FIELD_MESSAGES[err.field] || 'Commande incomplète : vérifiez le formulaire.';
      throw new ApiError(res.status, err.code, message, err.field);
    }
    return data;
  }
  const shopPath = (shopId) => '/shops/' + encodeURIComponent(shopId);
  const catalogues = new Map();
  async function catalogue(shopId, fresh) {
    if (fresh || !catalogues.has(shopId)) catalogues.set(shopId, await api(shopPath(shopId)));
    return catalogues.get(shopId);
  }

  // -- times in the shop's zone ---------------------------------------------------------
  // A zone the browser does not know (an old name, a damaged row) must not break the page
  // (Intl throws RangeError): the marketplace's own zone then, as the server does.
  const zones = new Map();
  function zone(tz) {
    if (!zones.has(tz)) {
      let ok = false;
      try { new Intl.DateTimeFormat('fr-FR', { timeZone: tz }); ok = Boolean(tz); } catch (e) { ok = false; }
      zones.set(tz, ok ? tz : 'Europe/Paris');
    }
    return zones.get(tz);
  }
  function dayKey(date, tz) {
    const parts = {};
    for (const p of new Intl.DateTimeFormat('en-CA', { timeZone: zone(tz), year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(date)) parts[p.type] = p.value;
    return parts.year + '-' + parts.month + '-' + parts.day;
  }
  function nextDayKey(key) {  // the calendar day after (not 24 h later: a DST day has 23 or 25)
    const [y, m, d] = key.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  }
  function clock(iso, tz) {
    return new Intl.DateTimeFormat('fr-FR', { timeZone: zone(tz), hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
  }
  function when(iso, tz) {
    const date = new Date(iso);
    const today = dayKey(new Date(), tz);
    let day;
    if (dayKey(date, tz) === today) day = 'aujourd’hui';
    else if (dayKey(date, tz) === nextDayKey(today)) day = 'demain';
    else day = new Intl.DateTimeFormat('fr-FR', { timeZone: zone(tz), weekday: 'long', day: 'numeric', month: 'long' }).format(date);
    return day + ' à ' + clock(iso, tz);
  }

  // -- cart (per shop, kept across reloads) ---------------------------------------------
  const cartOf = (shopId) => store.get('cart.' + shopId, {});
  function setCart(shopId, cart) {
    for (const sku of Object.keys(cart)) if (!(cart[sku] > 0)) delete cart[sku];
    if (Object.keys(cart).length) store.set('cart.' + shopId, cart); else store.del('cart.' + shopId);
  }
  function cartSummary(cat, cart) {
    let units = 0; let cents = 0;
    for (const p of cat.products) {
      const qty = cart[p.sku] || 0;
      units += qty; cents += qty * p.price_cents;
    }
    return { units, cents };
  }
  function renderCartbar(shopId, cat) {
    const { units, cents } = cat ? cartSummary(cat, cartOf(shopId)) : { units: 0 };
    if (!units) { cartbar.hidden = true; cartbar.replaceChildren(); return; }
    cartbar.replaceChildren(el('a', { class: 'button wide', href: '#/b/' + encodeURIComponent(shopId) + '/panier' },
      'Commander · ' + units + (units > 1 ? ' articles' : ' article') + ' · ' + euros(cents)));
    cartbar.hidden = false;
  }

  // -- the shop's ordering state, said before any basket is filled ----------------------
  const ORDERING = {
    paused: ['paused', 'En pause', 'Cette boutique est en pause : elle ne prend pas de commandes pour le moment.'],
    unattended: ['unattended', 'Indisponible', 'Personne n’est au comptoir pour recevoir votre commande pour le moment : réessayez plus tard.'],
    open: ['open', 'Ouverte aux commandes', ''],
  };
  const orderingBadge = (state) => el('span', { class: 'badge ' + ORDERING[state][0] }, ORDERING[state][1]);
  function shopBanners(cat) {
    const shop = cat.shop;
    if (shop.ordering !== 'open') return [banner('stop', ORDERING[shop.ordering][2])];
    if (shop.open_now === false && cat.pickup_slots.length) {
      return [banner('info', 'Fermée en ce moment : retrait possible à partir de ' + when(cat.pickup_slots[0], shop.time_zone) + '.')];
    }
    return [];
  }
  const AVAIL = { available: null, few_left: ['few', 'Plus que quelques-uns'], sold_out: ['out', 'Épuisé'] };
  const availBadge = (p) => AVAIL[p.availability] && el('span', { class: 'badge ' + AVAIL[p.availability][0] }, AVAIL[p.availability][1]);

  // -- pages ----------------------------------------------------------------------------
  async function shopsPage(gen, query) {
    const search = el('input', { id: 'q', type: 'search', autocomplete: 'off', value: query || '' });
    const form = el('form', { role: 'search', onsubmit: (e) => { e.preventDefault(); location.hash = '#/?q=' + encodeURIComponent(search.value.trim()); } },
      el('label', { for: 'q' }, 'Rechercher une boutique'), el('div', { class: 'qty' }, search, el('button', { type: 'submit' }, 'Chercher')));
    let data;
    try { data = await api('/shops' + (query ? '?q=' + encodeURIComponent(query) : '')); }
    catch (e) { if (gen === generation) show('Boutiques', el('h1', {}, 'Choisissez une boutique'), form, banner('stop', e.message)); return; }
    if (gen !== generation) return;
    const items = data.shops.map((s) => el('li', {}, el('a', { href: '#/b/' + encodeURIComponent(s.id) },
      el('span', { class: 'name' }, s.name), ' ', orderingBadge(s.ordering),
      el('br'), el('span', { class: 'muted small' }, s.address))));
    show('Boutiques', el('h1', {}, 'Choisissez une boutique'), form,
      items.length ? el('ul', { class: 'plain shops' }, items) : el('p', {}, 'Aucune boutique trouvée.'));
  }

  function addButton(shopId, cat, p, qtyOf, onAdded) {
    const canOrder = cat.shop.ordering === 'open' && p.availability !== 'sold_out';
    return el('button', {
      type: 'button', class: 'add', disabled: !canOrder,
      onclick: () => {
        const cart = cartOf(shopId);
        cart[p.sku] = Math.min(99, (cart[p.sku] || 0) + qtyOf());
        setCart(shopId, cart);
        renderCartbar(shopId, cat);
        onAdded(cart[p.sku]);
      },
    }, p.availability === 'sold_out' ? 'Épuisé' : 'Ajouter', sr(' ' + p.name));
  }

  async function shopPage(gen, shopId) {
    let cat;
    try { cat = await catalogue(shopId, true); }
    catch (e) { if (gen === generation) show('Boutique', el('h1', {}, 'Boutique'), banner('stop', e.message), el('a', { href: '#/' }, 'Toutes les boutiques')); return; }
    if (gen !== generation) return;
    const cart = cartOf(shopId);
    const groups = new Map();
    for (const p of cat.products) {
      const key = p.category || 'Autres';
      if (!groups.has(key)) groups.set(key, []);
      const inCart = el('span', { class: 'incart', 'aria-live': 'polite' }, cart[p.sku] ? cart[p.sku] + ' au panier' : '');
      groups.get(key).push(el('li', { class: 'product' + (p.availability === 'sold_out' ? ' sold-out' : '') },
        el('a', { class: 'pname', href: '#/b/' + encodeURIComponent(shopId) + '/p/' + encodeURIComponent(p.sku) }, p.name),
        addButton(shopId, cat, p, () => 1, (n) => { inCart.textContent = n + ' au panier'; }),
        el('span', { class: 'meta' }, el('span', {}, euros(p.price_cents)), availBadge(p), inCart)));
    }
    const sections = [...groups].map(([name, items]) => el('section', {}, el('h2', {}, name), el('ul', { class: 'plain products' }, items)));
    show(cat.shop.name,
      el('h1', {}, cat.shop.name), el('p', { class: 'muted' }, cat.shop.address),
      ...shopBanners(cat), ...sections,
      cat.products.length ? null : el('p', {}, 'Aucun produit en ligne pour le moment.'));
    renderCartbar(shopId, cat);
  }

  async function productPage(gen, shopId, sku) {
    let cat;
    try { cat = await catalogue(shopId); }
    catch (e) { if (gen === generation) show('Produit', el('h1', {}, 'Produit'), banner('stop', e.message)); return; }
    if (gen !== generation) return;
    const p = cat.products.find((x) => x.sku === sku);
    const back = el('p', {}, el('a', { href: '#/b/' + encodeURIComponent(shopId) }, '← ' + cat.shop.name));
    if (!p) { show('Produit', back, el('h1', {}, 'Produit introuvable'), banner('stop', 'Ce produit n’est plus en vente ici.')); return; }
    const qty = el('input', { id: 'qty', type: 'number', min: 1, max: 99, value: 1, inputmode: 'numeric' });
    const said = el('p', { class: 'incart', 'aria-live': 'polite' });
    const qtyOf = () => Math.max(1, Math.min(99, parseInt(qty.value, 10) || 1));
    const add = addButton(shopId, cat, p, qtyOf, (n) => { said.textContent = 'Ajouté. ' + n + ' au panier.'; });
    add.classList.add('wide');
    if (!add.disabled) add.replaceChildren('Ajouter au panier', sr(' ' + p.name));
    show(p.name, back, ...shopBanners(cat),
      el('div', { class: 'card' },
        el('h1', {}, p.name),
        el('p', {}, el('span', { class: 'big-price' }, euros(p.price_cents)), ' ', availBadge(p)),
        p.category ? el('p', { class: 'muted' }, p.category) : null,
        p.availability === 'sold_out' ? banner('warn', 'Épuisé : ce produit ne peut pas être commandé pour le moment.') : null,
        p.availability === 'sold_out' ? null : el('div', { class: 'field' }, el('label', { for: 'qty' }, 'Quantité'), qty),
        add, said));
    renderCartbar(shopId, cat);
  }

  // -- checkout ---------------------------------------------------------------------------
  function field(id, label, input, hint) {
    input.id = id;
    const error = el('p', { class: 'error', id: id + '-error', hidden: true });
    input.setAttribute('aria-describedby', id + '-error');
    return { node: el('div', { class: 'field' }, el('label', { for: id }, label), hint ? el('p', { class: 'muted small' }, hint) : null, input, error), input, error };
  }
  function setError(f, message) {
    f.error.textContent = message || '';
    f.error.hidden = !message;
    if (message) f.input.setAttribute('aria-invalid', 'true'); else f.input.removeAttribute('aria-invalid');
  }

  async function checkoutPage(gen, shopId) {
    let cat;
    try { cat = await catalogue(shopId, true); }
    catch (e) { if (gen === generation) show('Commande', el('h1', {}, 'Votre commande'), banner('stop', e.message)); return; }
    if (gen !== generation) return;
    cartbar.hidden = true;
    const tz = cat.shop.time_zone;
    const back = el('p', {}, el('a', { href: '#/b/' + encodeURIComponent(shopId) }, '← Continuer mes achats'));
    const cart = cartOf(shopId);
    const bySku = new Map(cat.products.map((p) => [p.sku, p]));
    // A product gone from the shop leaves the basket; a sold-out one stays, marked.
    for (const sku of Object.keys(cart)) if (!bySku.has(sku)) delete cart[sku];
    setCart(shopId, cart);
    if (!Object.keys(cart).length) { show('Panier', back, el('h1', {}, 'Votre panier est vide'), el('p', {}, 'Ajoutez des produits pour commander.')); return; }

    const me = store.get('customer', null);
    const linesList = el('ul', { class: 'plain lines' });
    const totalOut = el('span');
    const submit = el('button', { type: 'submit', class: 'wide' });
    const formError = el('div', {}); // its banners are role=alert: announced when they appear
    const soldOut = () => Object.keys(cartOf(shopId)).filter((sku) => bySku.get(sku).availability === 'sold_out');
    function refreshLines() {
      const c = cartOf(shopId);
      const { cents } = cartSummary(cat, c);
      linesList.replaceChildren(...Object.keys(c).map((sku) => {
        const p = bySku.get(sku);
        const change = (delta) => () => { const cc = cartOf(shopId); cc[sku] = Math.min(99, (cc[sku] || 0) + delta); setCart(shopId, cc); refreshLines(); };
        return el('li', {},
          el('span', {}, c[sku] + ' × ' + p.name, ' ', availBadge(p)),
          el('span', {}, euros(c[sku] * p.price_cents)),
          el('span', { class: 'qty' },
            el('button', { type: 'button', class: 'secondary', onclick: change(-1) }, '−', sr(' Retirer un ' + p.name)),
            el('button', { type: 'button', class: 'secondary', onclick: change(1), disabled: p.availability === 'sold_out' }, '+', sr(' Ajouter un ' + p.name))));
      }));
      totalOut.textContent = euros(cents);
      submit.textContent = 'Commander · ' + euros(cents);
      if (!Object.keys(c).length) location.hash = '#/b/' + encodeURIComponent(shopId);
    }
    refreshLines();

    const channel = me && me.channel === 'delivery' ? 'delivery' : 'collect';
    const radio = (value, label) => el('label', { class: 'choice' },
      el('input', { type: 'radio', name: 'channel', value, checked: value === channel }), label);
    const slotSelect = el('select', {});
    if (cat.pickup_slots.length) {
      for (const slot of cat.pickup_slots) slotSelect.append(el('option', { value: slot }, when(slot, tz)));
    } else {
      slotSelect.append(el('option', { value: '' }, 'Dès que possible'));
    }
    const slot = field('slot', 'Créneau de retrait', slotSelect);
    const address = field('address', 'Adresse de livraison', el('textarea', { autocomplete: 'street-address', maxlength: 200, rows: 3 }));
    address.input.value = (me && me.address) || '';
    const name = field('name', 'Votre nom', el('input', { type: 'text', autocomplete: 'name', maxlength: 80 }));
    name.input.value = (me && me.name) || '';
    const phone = field('phone', 'Téléphone', el('input', { type: 'tel', autocomplete: 'tel', maxlength: 30 }), 'La boutique vous appelle s’il y a un souci.');
    phone.input.value = (me && me.phone) || '';
    const allergens = field('allergens', 'Allergies à signaler (facultatif)', el('input', { type: 'text', maxlength: 200 }));
    const note = field('note', 'Note pour la boutique (facultatif)', el('textarea', { maxlength: 300, rows: 2 }));
    const remember = el('input', { type: 'checkbox', id: 'remember', checked: me !== null });  // opt-in: unticked until the customer asks once
    const channelSet = el('fieldset', {}, el('legend', {}, 'Retrait ou livraison'),
      el('div', { class: 'choices' }, radio('collect', 'Retrait en boutique'), radio('delivery', 'Livraison')));
    const chosen = () => channelSet.querySelector('input:checked').value;
    const showChannel = () => { slot.node.hidden = chosen() !== 'collect'; address.node.hidden = chosen() !== 'delivery'; };
    channelSet.addEventListener('change', showChannel);
    showChannel();

    const form = el('form', { novalidate: true },
      channelSet, slot.node, address.node, name.node, phone.node, allergens.node, note.node,
      el('label', { class: 'check', for: 'remember' }, remember, 'Retenir mes coordonnées sur ce téléphone'),
      el('p', { class: 'muted small' }, 'Paiement à la boutique, au retrait ou à la livraison.'),
      formError, submit);
    const blocked = cat.shop.ordering !== 'open';
    submit.disabled = blocked;

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      formError.replaceChildren();
      const fields = { 'customer.name': name, 'customer.phone': phone, 'customer.address': address, pickup_slot: slot, allergens, note };
      for (const f of Object.values(fields)) setError(f, '');
      const problems = [];
      if (!name.input.value.trim()) problems.push([name, 'Indiquez votre nom.']);
      if (!phone.input.value.trim()) problems.push([phone, 'Indiquez un numéro de téléphone.']);
      if (chosen() === 'delivery' && !address.input.value.trim()) problems.push([address, 'Indiquez l’adresse de livraison.']);
      if (soldOut().length) {
        formError.replaceChildren(banner('stop', 'Retirez les produits épuisés du panier : ' + soldOut().map((s) => bySku.get(s).name).join(', ') + '.'));
        return;
      }
      if (problems.length) {
        for (const [f, m] of problems) setError(f, m);
        problems[0][0].input.focus();
        return;
      }
      const c = cartOf(shopId);
      const body = {
        customer: { name: name.input.value.trim(), phone: phone.input.value.trim(), address: chosen() === 'delivery' ? address.input.value.trim() : null },
        channel: chosen(),
        lines: Object.keys(c).map((sku) => ({ sku, qty: c[sku] })),
        note: note.input.value.trim(),
        allergens: allergens.input.value.trim(),
      };
      if (chosen() === 'collect' && slotSelect.value) body.pickup_slot = slotSelect.value;
      // One idempotency key per distinct order: a retry after a lost answer is the same order.
      const pending = store.get('pending.' + shopId, null);
      const text = JSON.stringify(body);
      body.idempotency_key = pending && pending.body === text ? pending.key : crypto.randomUUID();
      store.set('pending.' + shopId, { key: body.idempotency_key, body: text });
      if (remember.checked) {
        store.set('customer', { name: body.customer.name, phone: body.customer.phone, address: address.input.value.trim(), channel: body.channel });
      } else store.del('customer');
      submit.disabled = true;
      submit.textContent = 'Envoi…';
      try {
        const order = await api(shopPath(shopId) + '/orders', { method: 'POST', body });
        const mine = store.get('orders', []).filter((o) => o.id !== order.id);
        mine.unshift({ shop: shopId, id: order.id, secret: order.order_secret, number: order.number, at: order.created_at, shopName: cat.shop.name });
        store.set('orders', mine.slice(0, 20));
        store.del('pending.' + shopId);
        setCart(shopId, {});
        location.hash = '#/suivi/' + encodeURIComponent(shopId) + '/' + encodeURIComponent(order.id);
      } catch (e) {
        const f = fields[e.field];
        if (f) { setError(f, e.message); f.input.focus(); }
        formError.replaceChildren(banner('stop', e.message));
        if (e.code === 'out_of_stock' || e.code === 'shop_paused' || e.code === 'shop_unattended' || e.code === 'pickup_slot_unavailable') {
          catalogues.delete(shopId); // the next look at the shop is fresh
        }
        submit.disabled = false;
        refreshLines();
      }
    });

    show('Votre commande', back, el('h1', {}, 'Votre commande'), el('p', { class: 'muted' }, cat.shop.name),
      ...shopBanners(cat),
      el('div', { class: 'card' }, linesList, el('p', { class: 'total' }, el('span', {}, 'Total'), totalOut)),
      form);
  }

  // -- the order's live status ------------------------------------------------------------
  const REASONS = {
    out_of_stock: 'un produit manque',
    closing: 'la boutique ferme',
    too_busy: 'la boutique est débordée',
    other: 'la boutique ne peut pas la préparer',
    timeout: 'la boutique n’a pas répondu à temps',
    customer: 'vous l’avez annulée',
  };
  const STEPS = ['new', 'accepted', 'ready', 'completed'];
  function statusText(order, tz) {
    const delivery = order.channel === 'delivery';
    switch (order.status) {
      case 'new': return ['Envoyée à la boutique', 'En attente de sa réponse (au plus tard à ' + clock(order.respond_by, tz) + ').', 'info'];
      case 'accepted': return ['Acceptée', order.ready_by ? 'Prête vers ' + clock(order.ready_by, tz) + '.' : 'La boutique la prépare.', 'ok'];
      case 'ready': return ['Prête !', delivery ? 'Elle part bientôt chez vous.' : 'Venez la retirer : montrez ce code au comptoir.', 'ok'];
      case 'completed': return [delivery ? 'Livrée' : 'Retirée', 'Merci et bon appétit !', 'ok'];
      case 'rejected': return ['Refusée', 'Refusée : ' + (REASONS[order.reject_reason] || 'la boutique ne peut pas la préparer') + '. Rien ne vous sera demandé.', 'stop'];
      case 'cancelled': return ['Annulée', 'Cette commande est annulée.', 'warn'];
      default: return [order.status, '', 'info'];
    }
  }
  function steps(order) {
    const delivery = order.channel === 'delivery';
    const labels = ['Envoyée', 'Acceptée', 'Prête', delivery ? 'Livrée' : 'Retirée'];
    const at = STEPS.indexOf(order.status);
    return el('ol', { class: 'steps', 'aria-label': 'Étapes de la commande' }, labels.map((label, i) =>
      el('li', { class: at >= 0 && i < at ? 'done' : '', 'aria-current': i === at ? 'step' : null }, label, sr(at >= 0 && i < at ? ' (faite)' : ''))));
  }

  async function statusPage(gen, shopId, orderId) {
    const mine = store.get('orders', []).find((o) => o.id === orderId && o.shop === shopId);
    if (!mine) { show('Commande', el('h1', {}, 'Commande'), banner('warn', 'Cette commande n’a pas été passée depuis ce téléphone : son suivi n’est pas disponible ici.')); return; }
    let cat = null;
    try { cat = await catalogue(shopId); } catch (e) { cat = null; }
    const tz = cat ? cat.shop.time_zone : 'Europe/Paris';
    const state = el('div', { class: 'status card', 'aria-live': 'polite' });
    const live = el('p', { class: 'muted small', role: 'status' });
    const qr = el('img', { alt: 'QR code de la commande n° ' + mine.number + ', à montrer au comptoir', width: 176, height: 176, hidden: true });
    const details = el('div', { class: 'card' });
    const actions = el('div', {});
    show('Commande n° ' + mine.number,
      el('h1', {}, 'Commande n° ' + mine.number), el('p', { class: 'muted' }, mine.shopName || (cat && cat.shop.name) || ''),
      state,
      el('div', { class: 'card code' }, el('p', { class: 'muted small' }, 'Code de retrait'),
        el('p', { class: 'number', 'aria-label': 'Numéro ' + mine.number }, String(mine.number)), qr, el('p', { class: 'id' }, orderId)),
      details, actions, live);
    // The QR code the ticket prints (the order id), fetched with the secret as an image.
    fetch(API + shopPath(shopId) + '/orders/' + encodeURIComponent(orderId) + '/qr.svg', { headers: { 'X-Order-Secret': mine.secret } })
      .then((r) => (r.ok ? r.blob() : null))
      .then((blob) => { if (blob && gen === generation) { qr.src = URL.createObjectURL(blob); qr.hidden = false; } })
      .catch(() => { /* the number is enough to collect */ });

    let order = null;
    function render() {
      const [title, text, kind] = statusText(order, tz);
      state.replaceChildren(el('p', { class: 'state', 'data-status': order.status }, title), el('p', { class: 'banner ' + kind }, text), steps(order));
      const rows = order.lines.map((l) => el('li', {}, el('span', {}, l.qty + ' × ' + l.name), el('span', {}, euros(l.qty * l.unit_price_cents))));
      details.replaceChildren(
        el('p', {}, order.channel === 'delivery' ? 'Livraison : ' + (order.customer.address || '') : 'Retrait en boutique' + (order.pickup_slot ? ' ' + when(order.pickup_slot, tz) : '')),
        el('ul', { class: 'plain lines' }, rows),
        el('p', { class: 'total' }, el('span', {}, 'Total'), el('span', {}, euros(order.total_cents))),
        el('p', { class: 'muted small' }, order.paid ? 'Payée.' : 'À payer ' + (order.channel === 'delivery' ? 'à la livraison.' : 'au retrait.')));
      if (order.status === 'new') {
        const confirm = el('button', { type: 'button', class: 'danger wide', hidden: true, onclick: async () => {
          try { order = await api(shopPath(shopId) + '/orders/' + encodeURIComponent(orderId) + '/cancel', { method: 'POST', secret: mine.secret }); render(); }
          catch (e) { actions.append(banner('stop', e.message)); }
        } }, 'Oui, annuler la commande');
        actions.replaceChildren(el('button', { type: 'button', class: 'secondary wide', onclick: (e) => { e.target.hidden = true; confirm.hidden = false; confirm.focus(); } }, 'Annuler la commande…'), confirm);
      } else actions.replaceChildren();
    }
    let delay = 1000;
    while (gen === generation) {
      const query = order ? '?since=' + encodeURIComponent(order.updated_at) + '&wait=' + WAIT_S : '';
      try {
        const fresh = await api(shopPath(shopId) + '/orders/' + encodeURIComponent(orderId) + query, { secret: mine.secret });
        if (gen !== generation) return;
        delay = 1000;
        live.textContent = '';
        if (!order || fresh.updated_at !== order.updated_at) { order = fresh; render(); }
        if (['completed', 'rejected', 'cancelled'].includes(order.status)) return;
      } catch (e) {
        if (gen !== generation) return;
        if (e.status === 404) { state.replaceChildren(banner('stop', 'Commande introuvable.')); return; }
        live.textContent = 'Connexion perdue : nouvel essai dans ' + Math.round(delay / 1000) + ' s…';
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 30000);
      }
    }
  }

  function ordersPage() {
    const mine = store.get('orders', []);
    show('Mes commandes', el('h1', {}, 'Mes commandes'),
      mine.length ? el('ul', { class: 'plain shops' }, mine.map((o) => el('li', {},
        el('a', { href: '#/suivi/' + encodeURIComponent(o.shop) + '/' + encodeURIComponent(o.id) },
          el('span', { class: 'name' }, 'Commande n° ' + o.number), el('br'),
          el('span', { class: 'muted small' }, (o.shopName || o.shop) + ' · ' + new Date(o.at).toLocaleString('fr-FR')))))) :
        el('p', {}, 'Aucune commande passée depuis ce téléphone.'),
      el('p', {}, el('a', { href: '#/' }, 'Choisir une boutique')));
  }

  // -- routing ----------------------------------------------------------------------------
  function route() {
    const gen = ++generation;
    const hash = location.hash.replace(/^#\/?/, '');
    const [path, search] = hash.split('?');
    const parts = path.split('/').map((p) => { try { return decodeURIComponent(p); } catch (e) { return ''; } });
    if (parts[0] !== 'b') { cartbar.hidden = true; }
    if (parts[0] === 'b' && parts[1] && parts.length === 2) return shopPage(gen, parts[1]);
    if (parts[0] === 'b' && parts[1] && parts[2] === 'p' && parts[3]) return productPage(gen, parts[1], parts[3]);
    if (parts[0] === 'b' && parts[1] && parts[2] === 'panier') return checkoutPage(gen, parts[1]);
    if (parts[0] === 'suivi' && parts[1] && parts[2]) return statusPage(gen, parts[1], parts[2]);
    if (parts[0] === 'commandes') return ordersPage();
    const q = new URLSearchParams(search || '').get('q');
    return shopsPage(gen, q);
  }
  window.addEventListener('hashchange', route);
  route();
})();
