/** The window's security settings and hooks, with fake webContents and session (no Electron). */
import { describe, expect, it } from 'vitest';
import { CSP, hardenContents, hardenSession, isAppUrl, windowOptions } from '../../../electron/main/security';
import { FakeContents, FakeSession, fakeShell, preventable } from '../../helpers/shell/fakes';

describe('window options', () => {
  it('are exactly the hardened set: isolated, sandboxed, no Node, web security on', () => {
    const options = windowOptions('/app/dist/shell/preload.cjs');
    expect(options.webPreferences).toEqual({
      preload: '/app/dist/shell/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    });
    expect(options.show).toBe(false);
    expect(windowOptions('/p', true).backgroundColor).not.toBe(options.backgroundColor);
  });

  it('come with a strict CSP: own scripts only, no eval, no remote anything, thumbnails by their scheme', () => {
    const directives = new Map(CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toContain('shoebox-thumb:');
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(CSP).not.toMatch(/unsafe-eval|\*|https?:/);
  });
});

describe('trusted pages', () => {
  it('are app://shoebox/ pages only', () => {
    expect(isAppUrl('app://shoebox/index.html')).toBe(true);
    expect(isAppUrl('app://shoebox/')).toBe(true);
    for (const url of [
      'app://evil/index.html',
      'app://user@shoebox/',
      'file:///app/dist/renderer/index.html',
      'http://127.0.0.1:5173/',
      'https://shoebox/',
      'about:blank',
      '',
      'not a url',
      'app://shoebox.evil.example/',
    ]) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });
});

describe('hardenContents', () => {
  function hardened() {
    const contents = new FakeContents();
    const shell = fakeShell();
    const logs: string[] = [];
    hardenContents(contents, { shell, log: (m) => logs.push(m) });
    return { contents, shell, logs };
  }

  it('blocks navigation away from our pages; https links open in the browser instead', () => {
    const { contents, shell } = hardened();
    expect(contents.navigate('app://shoebox/index.html#/devices')).toBe(false);
    expect(contents.navigate('https://example.com/help')).toBe(true);
    expect(contents.navigate('file:///etc/passwd')).toBe(true);
    expect(contents.navigate('http://192.168.1.2/')).toBe(true);
    expect(contents.navigate('javascript:alert(1)')).toBe(true);
    expect(contents.navigate('https://evil.example/', 'will-redirect')).toBe(true);
    expect(shell.external).toEqual(['https://example.com/help', 'https://evil.example/']);
  });

  it('reads the URL from the event where Electron puts it there', () => {
    const { contents } = hardened();
    const event = { ...preventable(), url: 'https://evil.example/' };
    let prevented = false;
    event.preventDefault = () => void (prevented = true);
    contents.emit('will-navigate', event, 'app://shoebox/index.html');
    expect(prevented).toBe(true);
  });

  it('denies every new window and webview', () => {
    const { contents, shell } = hardened();
    expect(contents.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'app://shoebox/index.html' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(shell.external).toEqual(['https://example.com/']);
    const e = preventable();
    contents.emit('will-attach-webview', e);
    expect(e.prevented).toBe(true);
  });
});

describe('hardenSession', () => {
  it('denies every permission request and check, and every download', () => {
    const session = new FakeSession();
    hardenSession(session);
    for (const permission of [
      'media',
      'notifications',
      'geolocation',
      'clipboard-read',
      'openExternal',
      'fullscreen',
    ]) {
      let granted: boolean | undefined;
      session.requestHandler!({}, permission, (g) => (granted = g));
      expect(granted, permission).toBe(false);
      expect(session.checkHandler!({}, permission), permission).toBe(false);
    }
    const e = preventable();
    session.emit('will-download', e);
    expect(e.prevented).toBe(true);
  });

  it('puts our CSP on every response, replacing any other', () => {
    const session = new FakeSession();
    hardenSession(session);
    let headers: Record<string, string | string[]> | undefined;
    session.headersListener!(
      {
        url: 'app://shoebox/index.html',
        responseHeaders: { 'content-type': ['text/html'], 'Content-Security-Policy': ['default-src *'] },
      },
      (r) => (headers = r.responseHeaders),
    );
    expect(headers).toEqual({ 'content-type': ['text/html'], 'Content-Security-Policy': [CSP] });
  });
});
