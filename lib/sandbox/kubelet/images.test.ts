// SPDX-License-Identifier: Apache-2.0
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../paths.js';
import { findProgram, kitImages, lookupImage, parseImageRef, TOYBOX_APPLETS } from './images.js';

describe('parseImageRef', () => {
  it('normalises references as containerd does', () => {
    expect(parseImageRef('busybox').full).toBe('docker.io/library/busybox:latest');
    expect(parseImageRef('seldonio/sklearnserver:1.11.0').full).toBe('docker.io/seldonio/sklearnserver:1.11.0');
    expect(parseImageRef('gcr.io/kfserving/model-initializer').full).toBe('gcr.io/kfserving/model-initializer:latest');
    expect(parseImageRef('localhost:5000/team/app:v2').repository).toBe('localhost:5000/team/app');
    expect(parseImageRef('index.docker.io/library/busybox:1.36').full).toBe('docker.io/library/busybox:1.36');
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImageRef(`busybox@${digest}`)).toMatchObject({ repository: 'docker.io/library/busybox', tag: undefined, digest });
  });

  it('rejects what Kubernetes cannot parse, with its message', () => {
    expect(() => parseImageRef('Busybox')).toThrow(/couldn't parse image name "Busybox": invalid reference format: repository name must be lowercase/);
    expect(() => parseImageRef('busy box')).toThrow(/invalid reference format/);
    expect(() => parseImageRef('busybox:')).toThrow(/invalid reference format/);
  });
});

describe('lookupImage', () => {
  it("knows Seldon's images at any tag", () => {
    expect(lookupImage(parseImageRef('seldonio/sklearnserver:1.11.0'))?.env.SELDON_LAB_IMPLEMENTATION).toBe('SKLEARN_SERVER');
    expect(lookupImage(parseImageRef('docker.io/seldonio/xgboostserver:1.9.1'))?.env.SELDON_LAB_IMPLEMENTATION).toBe('XGBOOST_SERVER');
    expect(lookupImage(parseImageRef('seldonio/rclone-storage-initializer:1.11.0'))?.entrypoint).toEqual(['seldon-lab', 'storage-init']);
    expect(lookupImage(parseImageRef('gcr.io/kfserving/model-initializer:latest'))?.entrypoint).toEqual(['seldon-lab', 'storage-init']);
  });

  it("knows the kit's own images at their pinned tag only", () => {
    const kit = kitImages();
    expect(lookupImage(parseImageRef(kit.modelServer))?.entrypoint).toEqual(['seldon-lab', 'serve']);
    expect(lookupImage(parseImageRef(kit.operator))?.entrypoint).toEqual(['seldon-lab', 'operator']);
    const [name] = kit.modelServer.split(':');
    expect(lookupImage(parseImageRef(`${name}:0.0.0-other`))).toBeUndefined();
  });

  it('cannot pull anything else', () => {
    expect(lookupImage(parseImageRef('nginx:1.27'))).toBeUndefined();
    expect(lookupImage(parseImageRef('seldonio/mlflowserver:1.11.0'))).toBeUndefined();
  });
});

describe('programs', () => {
  it("finds a program by its base name, in the image's set", () => {
    const server = lookupImage(parseImageRef('seldonio/sklearnserver:1.11.0'))!;
    const busybox = lookupImage(parseImageRef('busybox'))!;
    expect(findProgram(server, '/usr/local/bin/seldon-lab')).toEqual({ kind: 'kit' });
    expect(findProgram(server, '/bin/sleep')).toEqual({ kind: 'toybox', applet: 'sleep' });
    expect(findProgram(busybox, 'seldon-lab')).toBeUndefined();
    expect(findProgram(busybox, 'python')).toBeUndefined();
  });

  it('lists the same applets as the toybox itself', () => {
    const listed = execFileSync(process.execPath, [fromRoot('lib', 'sandbox', 'kubelet', 'toybox.mjs'), '--list'], { encoding: 'utf8' });
    expect(listed.trim().split('\n').sort()).toEqual([...TOYBOX_APPLETS].sort());
  });
});
