import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app.js'
import { consoleLocation } from './auth/console-location.js'
import './styles.css'

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App where={consoleLocation(window.location.href)} />
    </StrictMode>,
  )
}
