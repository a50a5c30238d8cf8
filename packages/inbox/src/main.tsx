import { render } from 'preact';
import { App } from './app.js';
import './theme.css';

render(<App />, document.getElementById('app')!);
