import { describe, expect, it } from 'vitest'
import { niceCeiling, scaleFor, stackTotals } from './chart-scale.js'

describe('chart scale', () => {
  it('rounds the top of the axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 2, 3, 7, 10, 11, 26, 99, 101, 4999, 5001].map(niceCeiling)).toEqual([1, 1, 2, 5, 10, 10, 20, 50, 100, 200, 5000, 10000])
    expect(niceCeiling(Number.NaN)).toBe(1)
  })

  it('has a gridline at half the maximum only when it is a whole number', () => {
    expect(scaleFor([])).toEqual({ max: 1, ticks: [0, 1] })
    expect(scaleFor([3, 17])).toEqual({ max: 20, ticks: [0, 10, 20] })
  })

  it('stacks series bar by bar', () => {
    expect(
      stackTotals([
        [1, 2, 3],
        [4, 0, 1],
      ]),
    ).toEqual([5, 2, 4])
    expect(stackTotals([])).toEqual([])
  })
})
