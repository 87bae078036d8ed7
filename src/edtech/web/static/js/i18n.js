// Message catalogues (English, Spanish) and `t(key)`; elements with data-i18n get their text.
const CATALOGUES = {
  en: {
    signIn: "Sign in", email: "Email", password: "Password", signOut: "Sign out",
    signInFailed: "Email or password is wrong.",
    live: "Live", connecting: "Connecting…", reconnecting: "Reconnecting…",
    resumed: "Resumed", reloaded: "Reloaded", signedout: "Signed out", idle: "Offline",
    closed: "Offline", failed: "Connection lost: reload the page",
    boardTitle: "Live attendance", session: "Session", tally: "Tally",
    present: "Present", tardy: "Late", absent: "Absent", excused_absence: "Excused",
    early_departure: "Left early", unmarked: "Not yet here", expected: "Expected",
    stillMissing: "Still missing", nobodyMissing: "Everyone is here.",
    minutesLate: "min late", markByHand: "Mark by hand", student: "Student", code: "Code",
    save: "Save", noSessions: "You have no session today.",
    conflict: "Someone changed this mark meanwhile; the board shows the latest. Try again.",
    parentTitle: "Family", children: "Children", grades: "Grades", messages: "Messages",
    attendance: "Attendance", invoices: "Invoices", noGrades: "No published grades yet.",
    gradesNotShared: "Grades are not shared with you for this child.",
    total: "Total", reply: "Reply", send: "Send", typing: "is typing…",
    noConversations: "No conversations yet.", message: "Message",
    home: "edtech", boardLink: "Teacher's live board", parentLink: "Parent app",
    choosePassword: "Choose your password", newPassword: "New password",
    setPassword: "Set password", passwordSet: "Your password is set. You are signed in.",
    passwordReset: "Your password has been changed. Sign in with it now.",
    forgot: "Forgot your password?", sendLink: "Send me a link",
    linkSent: "If that address has an account, a link is on its way.",
    emailConfirmed: "Your sign-in address is now", confirming: "Confirming…", signingIn: "Signing you in…", ssoSignedIn: "You are signed in.",
    linkProblem: "This link cannot be used", invitedTo: "You are invited to",
    due: "Due", amount: "Amount", state: "State", noInvoices: "No invoices.",
    today: "Today", noMarks: "Nothing recorded today.", position: "Channel position",
    qrOpen: "Self check-in QR code", qrTitle: "Scan to check in", close: "Close",
    qrUntil: "New code at",
  },
  es: {
    signIn: "Iniciar sesión", email: "Correo", password: "Contraseña", signOut: "Cerrar sesión",
    signInFailed: "El correo o la contraseña no son correctos.",
    live: "En vivo", connecting: "Conectando…", reconnecting: "Reconectando…",
    resumed: "Reanudado", reloaded: "Recargado", signedout: "Sesión cerrada", idle: "Sin conexión",
    closed: "Sin conexión", failed: "Conexión perdida: recargue la página",
    boardTitle: "Asistencia en vivo", session: "Sesión", tally: "Recuento",
    present: "Presente", tardy: "Tarde", absent: "Ausente", excused_absence: "Justificado",
    early_departure: "Salió antes", unmarked: "Aún no llega", expected: "Esperados",
    stillMissing: "Faltan", nobodyMissing: "Están todos.",
    minutesLate: "min tarde", markByHand: "Marcar a mano", student: "Alumno", code: "Código",
    save: "Guardar", noSessions: "No tiene sesiones hoy.",
    conflict: "Alguien cambió esta marca; el tablero muestra la última. Inténtelo de nuevo.",
    parentTitle: "Familia", children: "Hijos", grades: "Notas", messages: "Mensajes",
    attendance: "Asistencia", invoices: "Facturas", noGrades: "Aún no hay notas publicadas.",
    gradesNotShared: "Las notas de este alumno no se comparten con usted.",
    total: "Total", reply: "Responder", send: "Enviar", typing: "está escribiendo…",
    noConversations: "Aún no hay conversaciones.", message: "Mensaje",
    home: "edtech", boardLink: "Tablero de asistencia", parentLink: "App de familias",
    choosePassword: "Elija su contraseña", newPassword: "Contraseña nueva",
    setPassword: "Guardar contraseña", passwordSet: "Contraseña guardada. Ya ha iniciado sesión.",
    passwordReset: "Su contraseña ha cambiado. Inicie sesión con ella.",
    forgot: "¿Olvidó su contraseña?", sendLink: "Enviarme un enlace",
    linkSent: "Si la dirección tiene una cuenta, le llegará un enlace.",
    emailConfirmed: "Su dirección de acceso es ahora", confirming: "Confirmando…", signingIn: "Iniciando sesión…", ssoSignedIn: "Ha iniciado sesión.",
    linkProblem: "Este enlace no se puede usar", invitedTo: "Le invitan a",
    due: "Vence", amount: "Importe", state: "Estado", noInvoices: "No hay facturas.",
    today: "Hoy", noMarks: "Nada registrado hoy.", position: "Posición en el canal",
    qrOpen: "Código QR de registro", qrTitle: "Escanee para registrarse", close: "Cerrar",
    qrUntil: "Nuevo código a las",
  },
};

const wanted = (globalThis.navigator && navigator.language ? navigator.language : "en").slice(0, 2);
export const lang = CATALOGUES[wanted] ? wanted : "en";

export function t(key) {
  return CATALOGUES[lang][key] ?? CATALOGUES.en[key] ?? key;
}

export function translate(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
}
