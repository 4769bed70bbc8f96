// i18n.js — every string the web pages show, in Vietnamese (the default) and English, and the
// language switch (VI | EN) remembered in localStorage.

const STRINGS = {
  vi: {
    brand: 'Trọn Đời',
    tagline: 'Cổng dịch vụ công trực tuyến',
    skip: 'Bỏ qua, đến nội dung chính',
    lang_group: 'Ngôn ngữ',
    lang_vi_name: 'Tiếng Việt',
    lang_en_name: 'English',
    signout: 'Đăng xuất',
    loading: 'Đang tải…',
    network_error: 'Không kết nối được máy chủ. Vui lòng thử lại.',
    unknown_error: 'Đã có lỗi xảy ra. Vui lòng thử lại.',
    footer: 'Hệ thống thử nghiệm · Dữ liệu mẫu, không phải dữ liệu thật.',

    // sign-in
    login_title: 'Đăng nhập',
    login_intro: 'Đăng nhập để xem, cập nhật và kiểm soát việc chia sẻ dữ liệu cá nhân của bạn.',
    username: 'Tên đăng nhập',
    password: 'Mật khẩu',
    show_password: 'Hiện mật khẩu',
    login_submit: 'Đăng nhập',
    login_busy: 'Đang đăng nhập…',
    login_required: 'Vui lòng nhập tên đăng nhập và mật khẩu.',
    login_wait: 'Thử lại sau {n} giây',
    session_expired: 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.',
    signed_out: 'Bạn đã đăng xuất.',
    staff_title: 'Bạn đã đăng nhập',
    staff_signed_in_as: 'Đã đăng nhập với tài khoản {user} — {role}',
    staff_unit: 'Đơn vị: {unit}',
    staff_soon: 'Trang làm việc dành cho cán bộ đang được xây dựng và sẽ sớm được cung cấp.',
    role_citizen: 'Công dân',
    role_officer: 'Cán bộ',
    role_leader: 'Lãnh đạo',
    role_admin: 'Quản trị hệ thống',
    procedures_title: 'Thủ tục hành chính trực tuyến',
    procedures_show: 'Xem danh sách thủ tục',
    procedures_days: '{n} ngày làm việc',
    procedures_day: '1 ngày làm việc',
    procedures_free: 'Miễn phí',
    procedures_fee: 'Lệ phí {fee}',
    level_commune: 'Cấp xã',
    level_province: 'Cấp tỉnh',

    // my data
    me_title: 'Dữ liệu của tôi',
    me_intro: 'Thông tin về bạn trong Cơ sở dữ liệu quốc gia về dân cư và những thông tin bạn tự khai báo.',
    citizen_id: 'Số định danh cá nhân',
    toc_label: 'Mục lục trang',
    data_title: 'Thông tin cá nhân',
    data_note: 'Bạn có thể tự cập nhật số điện thoại, thư điện tử và nơi ở hiện tại khi các thông tin này chưa được xác thực. Để điều chỉnh thông tin khác, vui lòng liên hệ cơ quan quản lý.',
    verified: '✓ Đã xác thực',
    unverified: 'Chưa xác thực',
    source: 'Nguồn',
    classification: 'Phân loại',
    updated: 'Cập nhật',
    version_n: 'Phiên bản {n}',
    not_provided: 'Chưa có thông tin',
    cls_public: 'Công khai',
    cls_personal: 'Cá nhân cơ bản',
    cls_sensitive: 'Cá nhân nhạy cảm',
    src_population_db: 'CSDL quốc gia về dân cư',
    src_self_declared: 'Tự khai báo',
    history: 'Lịch sử',
    history_hide: 'Ẩn lịch sử',
    history_of: 'Lịch sử thay đổi: {label}',
    history_current: 'Hiện tại',
    changed_by: 'Người thay đổi',
    edit: 'Sửa',
    add: 'Thêm',
    edit_of: 'Sửa {label}',
    save: 'Lưu',
    saving: 'Đang lưu…',
    cancel: 'Hủy',
    saved: 'Đã lưu: {label}.',
    street: 'Số nhà, đường/phố, thôn/xóm',
    province: 'Tỉnh/thành phố',
    commune: 'Xã/phường/đặc khu',
    choose: '— Chọn —',
    choose_commune: 'Vui lòng chọn xã/phường.',
    value_required: 'Vui lòng nhập giá trị.',
    sex_male: 'Nam',
    sex_female: 'Nữ',

    // consents
    consents_title: 'Đồng ý chia sẻ dữ liệu',
    consents_intro: 'Bạn quyết định ai được xem dữ liệu nào của bạn, vì mục đích gì và đến khi nào. Bạn có thể thu hồi sự đồng ý bất cứ lúc nào.',
    consents_empty: 'Bạn chưa cấp sự đồng ý chia sẻ dữ liệu nào.',
    recipient: 'Bên nhận',
    recipient_hint: 'Tên tài khoản cán bộ (ví dụ canbo.hanoi) hoặc mã đơn vị hành chính (ví dụ 01 là Hà Nội).',
    purpose: 'Mục đích',
    purpose_hint: 'Ví dụ: Hồ sơ tuyển dụng',
    shared_data: 'Dữ liệu được chia sẻ',
    valid_until: 'Có hiệu lực đến hết ngày',
    granted_at: 'Ngày cấp',
    expires: 'Hết hạn',
    revoked_at: 'Thu hồi lúc',
    state_active: 'Đang hiệu lực',
    state_revoked: 'Đã thu hồi',
    state_expired: 'Đã hết hạn',
    revoke: 'Thu hồi',
    revoke_question: 'Thu hồi sự đồng ý này? Bên nhận sẽ không xem được dữ liệu của bạn nữa.',
    revoke_confirm: 'Xác nhận thu hồi',
    revoked_ok: 'Đã thu hồi sự đồng ý.',
    grant_title: 'Cấp sự đồng ý mới',
    grant_submit: 'Đồng ý chia sẻ',
    granting: 'Đang gửi…',
    granted_ok: 'Đã cấp sự đồng ý cho {recipient}.',
    pick_attributes: 'Vui lòng chọn ít nhất một loại dữ liệu.',
    fill_required: 'Vui lòng điền đủ bên nhận, mục đích và ngày hết hạn.',

    // data usage
    usage_title: 'Ai đã sử dụng dữ liệu của tôi',
    usage_intro: 'Mỗi lần cơ quan, cán bộ xem hoặc thay đổi dữ liệu của bạn đều được ghi lại. Thời gian theo giờ Việt Nam (UTC+7).',
    usage_empty: 'Chưa có ai sử dụng dữ liệu của bạn.',
    usage_time: 'Thời gian',
    usage_actor: 'Người thực hiện',
    usage_unit: 'Đơn vị',
    usage_action: 'Hành động',
    usage_attributes: 'Dữ liệu',
    usage_purpose: 'Mục đích',
    action_read: 'Xem dữ liệu',
    action_read_history: 'Xem lịch sử',
    action_update: 'Cập nhật',
    action_create: 'Tạo hồ sơ',
    action_prefill: 'Điền sẵn biểu mẫu',
    load_more: 'Xem thêm',
    refresh: 'Làm mới',
  },
  en: {
    brand: 'Trọn Đời',
    tagline: 'Online public services',
    skip: 'Skip to main content',
    lang_group: 'Language',
    lang_vi_name: 'Tiếng Việt',
    lang_en_name: 'English',
    signout: 'Sign out',
    loading: 'Loading…',
    network_error: 'Cannot reach the server. Please try again.',
    unknown_error: 'Something went wrong. Please try again.',
    footer: 'Pilot system · Sample data, not real records.',

    login_title: 'Sign in',
    login_intro: 'Sign in to see and update your personal data and to control who it is shared with.',
    username: 'Username',
    password: 'Password',
    show_password: 'Show password',
    login_submit: 'Sign in',
    login_busy: 'Signing in…',
    login_required: 'Please enter your username and password.',
    login_wait: 'Try again in {n} s',
    session_expired: 'Your session has expired. Please sign in again.',
    signed_out: 'You have signed out.',
    staff_title: 'You are signed in',
    staff_signed_in_as: 'Signed in as {user} — {role}',
    staff_unit: 'Unit: {unit}',
    staff_soon: 'The pages for staff are being built and will be available soon.',
    role_citizen: 'Citizen',
    role_officer: 'Officer',
    role_leader: 'Leader',
    role_admin: 'System administrator',
    procedures_title: 'Online administrative procedures',
    procedures_show: 'Show the list of procedures',
    procedures_days: '{n} working days',
    procedures_day: '1 working day',
    procedures_free: 'Free of charge',
    procedures_fee: 'Fee {fee}',
    level_commune: 'Commune level',
    level_province: 'Province level',

    me_title: 'My data',
    me_intro: 'What the National Population Database holds about you, and what you declared yourself.',
    citizen_id: 'Personal ID number',
    toc_label: 'On this page',
    data_title: 'Personal information',
    data_note: 'You can update your phone number, email and current address yourself while they are not verified. To correct anything else, please contact the agency that holds it.',
    verified: '✓ Verified',
    unverified: 'Not verified',
    source: 'Source',
    classification: 'Classification',
    updated: 'Updated',
    version_n: 'Version {n}',
    not_provided: 'Not provided',
    cls_public: 'Public',
    cls_personal: 'Basic personal',
    cls_sensitive: 'Sensitive personal',
    src_population_db: 'National Population Database',
    src_self_declared: 'Self-declared',
    history: 'History',
    history_hide: 'Hide history',
    history_of: 'History of changes: {label}',
    history_current: 'Current',
    changed_by: 'Changed by',
    edit: 'Edit',
    add: 'Add',
    edit_of: 'Edit {label}',
    save: 'Save',
    saving: 'Saving…',
    cancel: 'Cancel',
    saved: 'Saved: {label}.',
    street: 'House number, street, hamlet',
    province: 'Province/city',
    commune: 'Commune/ward',
    choose: '— Choose —',
    choose_commune: 'Please choose a commune or ward.',
    value_required: 'Please enter a value.',
    sex_male: 'Male',
    sex_female: 'Female',

    consents_title: 'Data-sharing consents',
    consents_intro: 'You decide who may see which of your data, for what purpose and until when. You can revoke a consent at any time.',
    consents_empty: 'You have not granted any consent to share your data.',
    recipient: 'Recipient',
    recipient_hint: 'An officer’s username (e.g. canbo.hanoi) or an administrative unit code (e.g. 01 for Hà Nội).',
    purpose: 'Purpose',
    purpose_hint: 'For example: Job application',
    shared_data: 'Data shared',
    valid_until: 'Valid through',
    granted_at: 'Granted',
    expires: 'Expires',
    revoked_at: 'Revoked',
    state_active: 'Active',
    state_revoked: 'Revoked',
    state_expired: 'Expired',
    revoke: 'Revoke',
    revoke_question: 'Revoke this consent? The recipient will no longer be able to see your data.',
    revoke_confirm: 'Yes, revoke',
    revoked_ok: 'The consent has been revoked.',
    grant_title: 'Grant a new consent',
    grant_submit: 'Grant consent',
    granting: 'Sending…',
    granted_ok: 'Consent granted to {recipient}.',
    pick_attributes: 'Please choose at least one item of data.',
    fill_required: 'Please fill in the recipient, the purpose and the expiry date.',

    usage_title: 'Who used my data',
    usage_intro: 'Every time an agency or officer reads or changes your data, it is recorded here. Times are Vietnam time (UTC+7).',
    usage_empty: 'Nobody has used your data yet.',
    usage_time: 'Time',
    usage_actor: 'By',
    usage_unit: 'Unit',
    usage_action: 'Action',
    usage_attributes: 'Data',
    usage_purpose: 'Purpose',
    action_read: 'Read data',
    action_read_history: 'Read history',
    action_update: 'Updated',
    action_create: 'Created record',
    action_prefill: 'Prefilled a form',
    load_more: 'Show more',
    refresh: 'Refresh',
  },
};

const KEY = 'trondoi.lang';
const listeners = [];
let memory = null; // used when localStorage is unavailable

export function getLang() {
  let l = memory;
  try { l = localStorage.getItem(KEY) ?? memory; } catch { /* storage may be blocked */ }
  return l === 'en' ? 'en' : 'vi';
}

/** The string for key in the current language, with {name} placeholders filled from vars. */
export function t(key, vars = {}) {
  const lang = getLang();
  let s = STRINGS[lang][key] ?? STRINGS.vi[key] ?? key;
  for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** t(key) when there is such a string, else fallback (for values the server may add later). */
export function tOr(key, fallback) {
  return key in STRINGS.vi ? t(key) : fallback;
}

/** Fills every [data-i18n] element's text and every [data-i18n-ATTR] attribute under root. */
export function applyI18n(root = document) {
  const lang = getLang();
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const attr of ['aria-label', 'placeholder', 'title']) {
    const name = 'data-i18n-' + attr;
    for (const el of root.querySelectorAll(`[${name}]`)) el.setAttribute(attr, t(el.getAttribute(name)));
  }
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  const title = document.querySelector('meta[name="trondoi-title"]');
  if (title) document.title = `${t(title.content)} · ${t('brand')}`;
}

export function setLang(lang) {
  memory = lang === 'en' ? 'en' : 'vi';
  try { localStorage.setItem(KEY, memory); } catch { /* keep going in memory */ }
  applyI18n();
  for (const fn of listeners) fn(getLang());
}

export function onLangChange(fn) {
  listeners.push(fn);
}

/** Wires the VI | EN buttons and applies the remembered language. */
export function initI18n() {
  for (const b of document.querySelectorAll('[data-lang]')) {
    b.addEventListener('click', () => setLang(b.dataset.lang));
  }
  applyI18n();
}
