import { describe, expect, it } from 'vitest'
import { isCrossSite, isStateChanging } from './csrf.js'

const trusted = new Set(['https://id.example.com'])

describe('isCrossSite', () => {
  it('trusts same-origin and user-initiated requests, and requests without browser headers', () => {
    expect(isCrossSite({ 'sec-fetch-site': 'same-origin', origin: 'https://id.example.com' }, trusted)).toBe(false)
    expect(isCrossSite({ 'sec-fetch-site': 'none' }, trusted)).toBe(false)
    expect(isCrossSite({}, trusted)).toBe(false)
  })

  it('refuses cross-site and same-site fetch metadata', () => {
    expect(isCrossSite({ 'sec-fetch-site': 'cross-site' }, trusted)).toBe(true)
    expect(isCrossSite({ 'sec-fetch-site': 'same-site' }, trusted)).toBe(true)
  })

  it('refuses an Origin that is not trusted, including the opaque "null" origin', () => {
    expect(isCrossSite({ origin: 'https://evil.example' }, trusted)).toBe(true)
    expect(isCrossSite({ origin: 'null' }, trusted)).toBe(true)
    expect(isCrossSite({ origin: 'https://id.example.com.evil.example' }, trusted)).toBe(true)
    expect(isCrossSite({ origin: 'http://id.example.com' }, trusted)).toBe(true)
  })

  it('treats only GET, HEAD and OPTIONS as safe', () => {
    expect(['GET', 'HEAD', 'OPTIONS'].map(isStateChanging)).toEqual([false, false, false])
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(isStateChanging)).toEqual([true, true, true, true])
  })
})
