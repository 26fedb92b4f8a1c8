import { describe, expect, it } from 'vitest';
import { TICK_FEATURES_V1, decideModel, evolveModel, initialModelState, modelStreamId, type ModelCommand, type ModelEvent, type ModelVersionRegisteredData } from '../../../../domain/signals/index.ts';

const metadata = { commandId: 'c1', now: new Date('2026-01-05T00:00:00Z'), actor: { userId: 'ana', role: 'analyst' } };
const registration = (sha: string): Omit<ModelVersionRegisteredData, 'version'> => ({
  name: 'm', sha256: sha.repeat(64), featureSpec: TICK_FEATURES_V1, featureSpecDigest: 'd'.repeat(64),
  inputs: [{ name: 'features', type: 'float32', shape: ['N', 7] }], outputs: [{ name: 'probability', type: 'float32', shape: ['N', 1] }],
  trainingWindow: { symbol: 'XAUUSD', from: 'a', to: 'b', source: 's', ticks: 10, horizonTicks: 5 },
  metrics: { accuracy: 0.5, logLoss: 0.69, auc: 0.5, trainSamples: 1, testSamples: 1 }, artefact: { location: 'x.onnx', bytes: 1 }, driftReference: [],
});
const registered = (version: number, sha: string): ModelEvent => ({ type: 'ModelVersionRegistered', data: { ...registration(sha), version } });

/** given(events).when(command) -> events */
const given = (...events: ModelEvent[]) => ({
  when: (command: Omit<ModelCommand, 'metadata'>) => () => decideModel({ ...command, metadata } as ModelCommand, events.reduce(evolveModel, initialModelState())),
});

describe('model registry decider', () => {
  it('numbers versions in registration order and ignores the same file registered again', () => {
    expect(given().when({ type: 'RegisterModelVersion', data: registration('a') })()).toEqual([registered(1, 'a')]);
    expect(given(registered(1, 'a')).when({ type: 'RegisterModelVersion', data: registration('b') })()[0]!.data).toMatchObject({ version: 2 });
    expect(given(registered(1, 'a')).when({ type: 'RegisterModelVersion', data: registration('a') })()).toEqual([]);
  });

  it('promotes a version to champion, naming the champion it replaces', () => {
    const promoted: ModelEvent = { type: 'ModelVersionPromoted', data: { name: 'm', version: 1, previousChampion: null, reason: '' } };
    expect(given(registered(1, 'a')).when({ type: 'PromoteModelVersion', data: { name: 'm', version: 1 } })()).toEqual([promoted]);
    expect(given(registered(1, 'a'), registered(2, 'b'), promoted).when({ type: 'PromoteModelVersion', data: { name: 'm', version: 2, reason: 'auc' } })())
      .toEqual([{ type: 'ModelVersionPromoted', data: { name: 'm', version: 2, previousChampion: 1, reason: 'auc' } }]);
  });

  it('runs a challenger in shadow, never the champion itself; promoting the challenger clears it', () => {
    const promoted: ModelEvent = { type: 'ModelVersionPromoted', data: { name: 'm', version: 1, previousChampion: null, reason: '' } };
    expect(given(registered(1, 'a'), promoted).when({ type: 'StartShadow', data: { name: 'm', version: 1 } })).toThrow(expect.objectContaining({ code: 'MODEL.SHADOW_CHAMPION' }));
    const shadow: ModelEvent = { type: 'ShadowStarted', data: { name: 'm', version: 2, previousChallenger: null } };
    const state = [registered(1, 'a'), registered(2, 'b'), promoted, shadow, { type: 'ModelVersionPromoted', data: { name: 'm', version: 2, previousChampion: 1, reason: '' } } as ModelEvent]
      .reduce(evolveModel, initialModelState());
    expect(state).toMatchObject({ champion: 2, challenger: undefined });
    expect(state.versions.get(1)!.status).toBe('registered');
  });

  it('refuses unknown and retired versions and retiring the champion', () => {
    expect(given().when({ type: 'PromoteModelVersion', data: { name: 'm', version: 3 } })).toThrow(expect.objectContaining({ code: 'MODEL.VERSION_UNKNOWN' }));
    const retired: ModelEvent = { type: 'ModelVersionRetired', data: { name: 'm', version: 1, reason: 'old' } };
    expect(given(registered(1, 'a'), retired).when({ type: 'PromoteModelVersion', data: { name: 'm', version: 1 } })).toThrow(expect.objectContaining({ code: 'MODEL.VERSION_RETIRED' }));
    const promoted: ModelEvent = { type: 'ModelVersionPromoted', data: { name: 'm', version: 1, previousChampion: null, reason: '' } };
    expect(given(registered(1, 'a'), promoted).when({ type: 'RetireModelVersion', data: { name: 'm', version: 1, reason: 'x' } })).toThrow(expect.objectContaining({ code: 'MODEL.RETIRE_CHAMPION' }));
  });

  it('names model streams only for safe names', () => {
    expect(modelStreamId('xauusd_direction')).toBe('model-xauusd_direction');
    expect(() => modelStreamId('Bad-Name')).toThrow(expect.objectContaining({ code: 'MODEL.NAME_INVALID' }));
  });
});
