// chrome.js — the header and navigation every page shares, drawn from one place. A page holds
// <div id="chrome" data-home="…" data-signout="true" data-nav="citizen" data-current="…"></div>;
// importing this module (before i18n starts) draws there the brand linking to the page's home,
// the language switch, the sign-out button for signed-in pages and the navigation (data-nav:
// citizen or staff) with the current page marked.
import { h, signOut } from './app.js';

const CITIZEN_NAV = [
  ['me', '/me.html', 'nav_me', 'Dữ liệu của tôi'],
  ['apply', '/apply.html', 'nav_apply', 'Nộp hồ sơ'],
  ['dossiers', '/dossiers.html', 'nav_dossiers', 'Hồ sơ của tôi'],
  ['bundle', '/bundle.html', 'nav_bundle', 'Liên thông'],
  ['documents', '/documents.html', 'nav_documents', 'Kho dữ liệu của tôi'],
  ['feedback', '/feedback.html', 'nav_feedback', 'Phản ánh'],
];

const STAFF_NAV = [
  ['desk', '/desk.html', 'nav_desk', 'Hồ sơ cần xử lý'],
  ['dashboard', '/dashboard.html', 'nav_dashboard', 'Chỉ số phục vụ'],
];

const NAVS = { citizen: CITIZEN_NAV, staff: STAFF_NAV };

function langButton(lang, label, title, pressed) {
  return h('button', { type: 'button', dataset: { lang }, testid: `lang-${lang}`, 'aria-pressed': pressed, lang, title }, label);
}

function header({ home, signout }) {
  return h('header', { class: 'topbar' },
    h('div', { class: 'topbar-inner' },
      h('a', { class: 'brand', href: home || '/' },
        h('img', { src: '/logo.svg', alt: '', width: 36, height: 36 }),
        h('span', { class: 'brand-text' },
          h('span', { class: 'brand-name', dataset: { i18n: 'brand' } }, 'Trọn Đời'),
          h('span', { class: 'brand-tag', dataset: { i18n: 'tagline' } }, 'Cổng dịch vụ công trực tuyến'))),
      h('div', { class: 'topbar-actions' },
        h('div', { class: 'lang', role: 'group', 'aria-label': 'Ngôn ngữ', dataset: { i18nAriaLabel: 'lang_group' } },
          langButton('vi', 'VI', 'Tiếng Việt', 'true'),
          h('span', { class: 'lang-sep', 'aria-hidden': 'true' }, '|'),
          langButton('en', 'EN', 'English', 'false')),
        signout === 'true'
          ? h('button', { type: 'button', class: 'btn btn-ghost btn-small', id: 'signout', testid: 'signout', dataset: { i18n: 'signout' },
            onclick: () => signOut() }, 'Đăng xuất')
          : null)));
}

function mainNav(entries, current) {
  return h('nav', { class: 'mainnav', 'aria-label': 'Điều hướng chính', dataset: { i18nAriaLabel: 'nav_label' } },
    h('div', { class: 'mainnav-inner' }, ...entries.map(([key, href, i18n, text]) => h('a', {
      href, testid: `nav-${key}`, dataset: { i18n }, 'aria-current': key === current ? 'page' : undefined,
    }, text))));
}

export function mountChrome() {
  const slot = document.getElementById('chrome');
  if (!slot) return;
  const { nav, current } = slot.dataset;
  slot.replaceWith(header(slot.dataset), ...(NAVS[nav] ? [mainNav(NAVS[nav], current)] : []));
}

mountChrome();
