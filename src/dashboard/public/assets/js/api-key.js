// The API key: asked once in a dialog, then kept in this browser's localStorage (a wall screen must show
// the numbers again after a restart without anyone typing). A 401 asks again.

const STORAGE_KEY = 'mobile-kpi.api-key';

const dialog = document.getElementById('key-dialog');
const form = document.getElementById('key-form');
const input = form.elements.key;
const message = document.getElementById('key-error');

let asking = null;

export function storedKey() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: the key is asked at every visit
  }
}

function storeKey(key) {
  try {
    localStorage.setItem(STORAGE_KEY, key);
  } catch {
    // storage disabled: the key lives as long as the page
  }
}

// Opens the dialog (once, however many requests were refused meanwhile) and resolves with the key
// entered, or with null when it is closed without one.
export function askForKey(reason = '') {
  showMessage(reason);
  if (!asking) {
    asking = new Promise((resolve) => {
      dialog.addEventListener(
        'close',
        () => {
          const key = dialog.returnValue === 'save' ? input.value.trim() : '';
          input.value = '';
          if (key) storeKey(key);
          resolve(key || storedKey());
        },
        { once: true },
      );
    }).finally(() => (asking = null));
    dialog.returnValue = '';
    dialog.showModal();
  }
  return asking;
}

function showMessage(text) {
  message.textContent = text;
  message.hidden = !text;
}

document.getElementById('forget-key').addEventListener('click', () => {
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing was stored
  }
  input.value = '';
  showMessage('This browser keeps no key now. Enter one to see the numbers.');
});
