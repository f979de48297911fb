import { describe, expect, it } from 'vitest';
import { rewriteContextUrl } from '../../../schema-registry/http/context-paths.ts';
import { responseTypeFor, isAcceptedRequestType } from '../../../schema-registry/http/media-types.ts';

describe('context URLs (Confluent ContextFilter)', () => {
  it('prefixes the subject segment with the context', () => {
    expect(rewriteContextUrl('/contexts/.ctx/subjects/orders/versions')).toBe('/subjects/%3A.ctx%3Aorders/versions');
    expect(rewriteContextUrl('/contexts/ctx/subjects/orders/versions/1?deleted=true')).toBe('/subjects/%3A.ctx%3Aorders/versions/1?deleted=true');
    expect(rewriteContextUrl('/contexts/.ctx/compatibility/subjects/orders/versions/latest')).toBe('/compatibility/subjects/%3A.ctx%3Aorders/versions/latest');
  });

  it('leaves an already qualified subject alone', () => {
    expect(rewriteContextUrl('/contexts/.ctx/subjects/:.other:orders/versions')).toBe('/subjects/:.other:orders/versions');
  });

  it('maps the context root config and mode to the context itself', () => {
    expect(rewriteContextUrl('/contexts/.ctx/config')).toBe('/config/%3A.ctx%3A');
    expect(rewriteContextUrl('/contexts/.ctx/mode/orders')).toBe('/mode/%3A.ctx%3Aorders');
  });

  it('scopes listings and ids to the context', () => {
    expect(rewriteContextUrl('/contexts/.ctx/subjects')).toBe('/subjects?subjectPrefix=%3A.ctx%3A');
    expect(rewriteContextUrl('/contexts/.ctx/schemas/ids/3')).toBe('/schemas/ids/3?subject=%3A.ctx%3A');
    expect(rewriteContextUrl('/contexts/.ctx')).toBe('/contexts/%3A.ctx%3A');
  });

  it('does not touch other URLs', () => {
    expect(rewriteContextUrl('/subjects/a/versions')).toBe('/subjects/a/versions');
    expect(rewriteContextUrl('/contexts')).toBe('/contexts');
  });
});

describe('media types', () => {
  it('negotiates the response type', () => {
    expect(responseTypeFor(undefined)).toBe('application/vnd.schemaregistry.v1+json');
    expect(responseTypeFor('application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json')).toBe('application/vnd.schemaregistry.v1+json');
    expect(responseTypeFor('application/json')).toBe('application/json');
    expect(responseTypeFor('application/*')).toBe('application/vnd.schemaregistry.v1+json');
    expect(responseTypeFor('text/html')).toBeNull();
    expect(responseTypeFor('application/json;q=0, text/plain')).toBeNull();
  });

  it('accepts request bodies of the registry types, JSON and octet-stream', () => {
    expect(isAcceptedRequestType(undefined)).toBe(true);
    expect(isAcceptedRequestType('application/json; charset=utf-8')).toBe(true);
    expect(isAcceptedRequestType('application/octet-stream')).toBe(true);
    expect(isAcceptedRequestType('text/plain')).toBe(false);
  });
});
